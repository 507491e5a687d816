namespace Mote.Gallery.Audit;

/// <summary>
/// Stable integer codes of audit events. The numbers are stored and exported: never renumber or reuse
/// one. Blocks of 100 per area: 1xx sign-in, 2xx users, 3xx gallery, 4xx decisions, 5xx settings,
/// 6xx reports, 7xx evaluation, 8xx backup, restore and the erasure ledger (82x key rotation).
/// </summary>
public enum AuditEventCode
{
    /// <summary>A sign-in succeeded.</summary>
    SignInSucceeded = 100,
    /// <summary>A sign-in was refused: wrong credentials.</summary>
    SignInFailed = 101,
    /// <summary>A user signed out.</summary>
    SignedOut = 102,
    /// <summary>A sign-in was refused because the account is locked out after failed attempts.</summary>
    SignInLockedOut = 103,

    /// <summary>A sign-in refused unchecked: its address had too many recent failures, or an Admin account is waiting after failures.</summary>
    SignInThrottled = 104,

    /// <summary>A one-time password-reset link was used to set a new password (actor: the anonymous visitor).</summary>
    PasswordResetCompleted = 105,

    /// <summary>The password was right and the account uses two-factor sign-in: a code is asked for next (ADR 0013).</summary>
    SignInCodeRequired = 106,

    /// <summary>The second sign-in step was refused: a wrong, expired or already used authenticator or recovery code.</summary>
    SignInCodeFailed = 107,

    /// <summary>An account was created.</summary>
    UserCreated = 200,
    /// <summary>An account's role was changed (old and new role in the detail).</summary>
    UserRoleChanged = 201,
    /// <summary>The first Admin account was created on the setup page of an empty installation.</summary>
    FirstAdminCreatedThroughSetup = 202,

    /// <summary>An Admin disabled an account: it cannot sign in and its sessions ended.</summary>
    UserDisabled = 203,

    /// <summary>An Admin enabled a disabled (or locked-out) account again.</summary>
    UserEnabled = 204,

    /// <summary>An Admin issued a one-time password-reset link for an account.</summary>
    PasswordResetIssued = 205,

    /// <summary>An Admin ended all of an account's sessions (its security stamp changed).</summary>
    UserSessionsEnded = 206,

    /// <summary>An account started setting up an authenticator (a new secret, pending its first code).</summary>
    MfaSetupStarted = 207,

    /// <summary>An account turned two-factor sign-in on (its first code matched; recovery codes issued).</summary>
    MfaEnabled = 208,

    /// <summary>An account turned its own two-factor sign-in off.</summary>
    MfaDisabled = 209,

    /// <summary>An account replaced its recovery codes.</summary>
    RecoveryCodesRegenerated = 210,

    /// <summary>An Admin (or `mote users reset-mfa`) removed an account's authenticator and recovery codes.</summary>
    MfaReset = 211,

    /// <summary>A person was enrolled and their template stored.</summary>
    PersonEnrolled = 300,
    /// <summary>A person's template was trained again and replaced.</summary>
    PersonRetrained = 301,
    /// <summary>A person and their template were erased.</summary>
    PersonErased = 302,

    /// <summary>
    /// A stored template failed its integrity check (does not decrypt, or its format is damaged) and was left out of 1:N
    /// identification; recorded once per person and stored template, by the system. Re-enroll or erase the person.
    /// </summary>
    TemplateIntegrityViolation = 303,

    /// <summary>
    /// A person's name, external id or declared attributes were edited after enrollment (the changes, and a threshold read
    /// again for a new group, in the detail). 310, not the next free number: 304–309 are left to other gallery events in
    /// flight on other branches.
    /// </summary>
    PersonEdited = 310,

    /// <summary>A probe photo was verified 1:1 against one person.</summary>
    ProbeVerified = 400,
    /// <summary>A probe photo was identified 1:N against the gallery.</summary>
    ProbeIdentified = 401,

    /// <summary>Someone asked to open a decision (its explanation) that exists but is not theirs to open; refused.</summary>
    DecisionAccessRefused = 402,

    /// <summary>An API key was created.</summary>
    ApiKeyCreated = 500,
    /// <summary>An API key was revoked.</summary>
    ApiKeyRevoked = 501,
    /// <summary>The gallery settings were changed (what changed in the detail).</summary>
    SettingsChanged = 502,

    /// <summary>The audit log was exported.</summary>
    AuditExported = 600,
    /// <summary>A report (such as the compliance PDF) was exported.</summary>
    ReportExported = 601,

    /// <summary>An evaluation run's report was recorded in the gallery.</summary>
    EvaluationRecorded = 700,

    /// <summary>An evaluation run was started from the portal (dataset and settings in the detail).</summary>
    EvaluationStarted = 701,

    /// <summary>A started evaluation run ended without a record: cancelled, failed, or stopped with the server.</summary>
    EvaluationAbandoned = 702,

    /// <summary>`mote backup` wrote an encrypted backup archive (file name, size, rows and audit head in the detail).</summary>
    BackupCreated = 800,

    /// <summary>`mote restore` replaced the database with a backup's (archive, when it was taken, what it held in the detail).</summary>
    BackupRestored = 801,

    /// <summary>
    /// A person the erasure ledger names was found in the database (restored from a copy older than their erasure) and
    /// erased again by the system; the subject is their opaque id.
    /// </summary>
    ErasureReapplied = 802,

    /// <summary>
    /// `mote keys rotate` re-encrypted every encrypted value under a new template key and retired the old one(s)
    /// (key ids, counts per column and where the old key file went in the detail; docs/decisions/0016).
    /// </summary>
    TemplateKeyRotated = 820,

    /// <summary>
    /// The gallery's backbone changed (`mote gallery migrate`, Settings → Model pack): from → to, how many people were
    /// re-enrolled from their kept reference photo and who was left needing a new photo (detail). Also written for a
    /// migration run that staged people but did not switch yet (the detail says so).
    /// </summary>
    GalleryBackboneChanged = 830,
}
