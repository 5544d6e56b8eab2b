// These tests drive real Linux processes.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// One platform at a time (SQLite, then PostgreSQL): two would fight over two cores.
[assembly: Xunit.CollectionBehavior(DisableTestParallelization = true)]
