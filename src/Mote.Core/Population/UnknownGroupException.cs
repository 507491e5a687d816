namespace Mote.Core.Population;

/// <summary>A group id that is malformed or names a group the context does not know.</summary>
public sealed class UnknownGroupException : ArgumentException
{
    /// <summary>Creates the exception for <paramref name="groupId"/>, with <paramref name="reason"/> in the message.</summary>
    public UnknownGroupException(string groupId, string reason)
        : base($"Unknown demographic group '{groupId}': {reason}.")
    {
        GroupId = groupId;
    }

    /// <summary>The offending id.</summary>
    public string GroupId { get; }
}
