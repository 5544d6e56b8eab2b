using System.Runtime.CompilerServices;

namespace WebApp.Tests;

internal static class OfflinePace
{
    /// <summary>
    /// The offline responder writes its whole answer at once unless told to pace it; a browser then receives it in
    /// one network read and can show no growth. A few milliseconds a word, as a real model streams, set before the
    /// platform fixture starts (the AppHost and its services inherit the environment), make token-by-token visible.
    /// </summary>
    [ModuleInitializer]
    internal static void Set() => Environment.SetEnvironmentVariable("Chat__OfflineWordDelay", "00:00:00.030");
}
