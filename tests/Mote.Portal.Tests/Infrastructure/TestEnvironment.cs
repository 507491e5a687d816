using System.Runtime.CompilerServices;

namespace Mote.Portal.Tests.Infrastructure;

/// <summary>
/// Keeps the tests' secrets (key files, audit anchors) out of the user's <c>~/.config/mote</c>: every
/// in-process CLI run and component test in this assembly uses one temporary secrets folder.
/// </summary>
internal static class TestEnvironment
{
    [ModuleInitializer]
    internal static void Initialize()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("MOTE_SECRETS_DIR")))
        {
            Environment.SetEnvironmentVariable("MOTE_SECRETS_DIR", Directory.CreateTempSubdirectory("mote-test-secrets-").FullName);
        }
    }
}
