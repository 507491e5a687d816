namespace Mote.Gallery.Data;

/// <summary>
/// The identity of this Gallery database: one row, created by the first migration with a random id.
/// The audit chain's genesis is derived from it (so the id cannot be swapped without breaking row 1),
/// and the audit anchor outside the database is kept per instance.
/// </summary>
public sealed class GalleryInstance
{
    /// <summary>The random id (32 lower-case hex digits) the first migration gave this database; never changes afterwards.</summary>
    public string Id { get; set; } = "";
}
