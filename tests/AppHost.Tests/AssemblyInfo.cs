// These tests drive real Linux processes (/proc, signals, setpriv).
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
