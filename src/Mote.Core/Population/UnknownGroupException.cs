namespace Mote.Core.Population;

/// <summary>A group id that is malformed or names a group the context does not know.</summary>
public sealed class UnknownGroupException : ArgumentException
{
    public UnknownGroupException(string groupId, string reason)
        : base($"Unknown demographic group '{groupId}': {reason}.")
    {
        GroupId = groupId;
    }

    /// <summary>The offending id.</summary>
    public string GroupId { get; }
}
