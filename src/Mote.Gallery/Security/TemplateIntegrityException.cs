namespace Mote.Gallery.Security;

/// <summary>
/// Stored biometric data failed its integrity check: it does not decrypt for its owner (altered, copied from another
/// record, or the key changed) or its format is damaged. Distinct from other refusals so that 1:N identification can
/// leave the one damaged template out instead of failing for everyone (see <see cref="People.TemplateIntegrity"/>).
/// </summary>
public sealed class TemplateIntegrityException(string message) : GalleryException(message);
