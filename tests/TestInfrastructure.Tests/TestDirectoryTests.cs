using System.Diagnostics;
using System.Globalization;

namespace TestInfrastructure.Tests;

/// <summary>Temp dirs of tests go when the test process is done with them, however it ends, and only then.</summary>
public sealed class TestDirectoryTests : IDisposable
{
    // A root of this test's own stands for {tmp}/chatbot-tests, so that the sweep sees only the runs made here.
    private readonly TestDirectory _runs = TestDirectory.Create("runs-");

    [Fact]
    public void ADirIsMadeInsideThisProcesssRunDirectoryAndDeletedWhenDisposed()
    {
        var directory = TestDirectory.Create("made-");
        File.WriteAllText(Path.Combine(directory.Path, "file"), "content");

        Assert.Equal(Path.Combine(TestDirectory.RunsRoot, TestDirectory.RunName(Environment.ProcessId)), Path.GetDirectoryName(directory.Path));
        Assert.StartsWith("made-", Path.GetFileName(directory.Path), StringComparison.Ordinal);
        directory.Dispose();
        Assert.False(Directory.Exists(directory.Path));
    }

    [Fact]
    public async Task TheRunDirectoryOfAProcessThatHasEndedIsSweptAndItsServersDataWithIt()
    {
        using var process = Process.Start("sleep", "60");
        var run = RunOf(TestDirectory.RunName(process.Id));
        File.WriteAllText(Path.Combine(Directory.CreateDirectory(Path.Combine(run, "pg-test-0")).FullName, "PG_VERSION"), "15");
        process.Kill();
        await process.WaitForExitAsync();

        TestDirectory.SweepStale(_runs.Path);

        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public async Task TheRunDirectoriesOfLiveProcessesAreKept()
    {
        using var other = Process.Start("sleep", "60");
        var mine = RunOf(TestDirectory.RunName(Environment.ProcessId));
        var others = RunOf(TestDirectory.RunName(other.Id));
        try
        {
            TestDirectory.SweepStale(_runs.Path);

            Assert.True(Directory.Exists(mine));
            Assert.True(Directory.Exists(others));
        }
        finally
        {
            other.Kill();
            await other.WaitForExitAsync();
        }
    }

    [Fact]
    public void ARunDirectoryWhosePidNowBelongsToAnotherProcessIsSwept()
    {
        var start = ProcessTable.StartTimeOf(Environment.ProcessId)!.Value;
        var run = RunOf(string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId}-{start - 1}"));

        TestDirectory.SweepStale(_runs.Path);

        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void DirsThatAreNotRunDirectoriesAreLeftAlone()
    {
        var notes = RunOf("notes");
        var almost = RunOf("123-abc");

        TestDirectory.SweepStale(_runs.Path);

        Assert.True(Directory.Exists(notes));
        Assert.True(Directory.Exists(almost));
    }

    [Fact]
    public async Task AServersDirIsDeletedByItsGuardOnceTheServerHasStopped()
    {
        var directory = TestDirectory.Create("server-");
        File.WriteAllText(Path.Combine(directory.Path, "data"), "written by the server");
        var server = GuardedProcess.Start("sleep 60", workingDirectory: directory.Path, removeWhenStopped: directory.Path);

        await server.DisposeAsync();

        Assert.False(Directory.Exists(directory.Path));
    }

    private string RunOf(string name) => Directory.CreateDirectory(Path.Combine(_runs.Path, name)).FullName;

    public void Dispose() => _runs.Dispose();
}
