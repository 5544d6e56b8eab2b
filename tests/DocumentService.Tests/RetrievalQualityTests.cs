using System.Globalization;
using DocumentService.Tests.Support;
using Xunit.Abstractions;

namespace DocumentService.Tests;

/// <summary>
/// Retrieval quality on a small labelled set: four documents of the kinds users bring (an HR handbook, a product
/// manual, a résumé, an IT help page), and questions worded as people ask them, each labelled with the phrase the
/// right passage contains. Top-1 and top-3 accuracy are printed and held to a floor.
/// </summary>
public sealed class RetrievalQualityTests(ITestOutputHelper output)
{
    private const string Handbook = """
        # Employee Handbook

        ## Paid time off
        Full-time employees receive 25 days of paid vacation per calendar year. Up to five unused days may be carried over into the next year; the rest expire on 31 March. Vacation requests must be submitted in the HR portal at least two weeks in advance.

        ## Sick leave
        If you are ill, notify your manager before 10 am on the first day of absence. A doctor's certificate is required from the fourth consecutive day of sick leave. Sick days do not reduce your vacation allowance.

        ## Parental leave
        Parents are entitled to 16 weeks of fully paid parental leave, which can be taken in up to three blocks within the first two years after birth or adoption.

        ## Remote work
        Employees may work from home up to three days per week after completing their probation period. Working abroad for more than 20 days a year needs written approval from the legal team.

        ## Expenses
        Business travel must be booked through the travel desk. Meals during travel are reimbursed up to 45 euros per day. Submit receipts within 30 days in the expense tool; late claims are not paid.
        """;

    private const string Manual = """
        AquaPure 300 Water Filter - User Manual

        Installation. Turn off the cold water supply before you begin. Mount the filter head under the sink with the two screws supplied, then connect the inlet hose to the cold water valve and the outlet hose to the faucet adapter.

        Replacing the cartridge. The cartridge lasts about six months or 2,000 litres, whichever comes first. When the indicator light blinks red, twist the old cartridge a quarter turn counter-clockwise to remove it, insert the new one and twist clockwise until it clicks.

        Flushing. After installing a new cartridge, run cold water through the filter for five minutes to flush out carbon fines. The first water may look cloudy; this is harmless.

        Troubleshooting. Low flow usually means a clogged cartridge or a kinked hose. A leak at the filter head is often fixed by reseating the O-ring and tightening by hand. If the indicator stays dark, replace the coin battery (CR2032) behind the front cover.

        Warranty. The filter head carries a three year limited warranty. Cartridges are consumables and are not covered. Register your product online within 60 days to activate the warranty.
        """;

    private const string Resume = """
        Maria Lopes - Senior Backend Engineer

        Experience. 2019-2024: Lead engineer at Northwind Logistics, where she designed a route-planning service in C# and .NET that cut delivery times by 18 percent. 2015-2019: Software developer at Contoso Bank, building payment APIs and migrating a core ledger from Oracle to PostgreSQL.

        Education. MSc in Computer Science from the University of Porto (2015), thesis on distributed consensus algorithms. BSc in Mathematics from the University of Coimbra (2013).

        Skills. C#, .NET, PostgreSQL, Redis, Kubernetes, Kafka, gRPC, event sourcing. Fluent in Portuguese, English and Spanish.

        Awards and talks. Speaker at NDC Oslo 2023 on resilient microservices. Winner of the Northwind hackathon 2021 with a fleet telemetry dashboard.
        """;

    private const string ItHelp = """
        IT Help: Accounts and Devices

        Password reset. Go to password.example.com, enter your employee number and answer the security questions. New passwords need at least 14 characters and must differ from your last five passwords. Passwords expire every 180 days.

        VPN. Install the GlobalConnect client from the software center and sign in with your company email. If the VPN disconnects every few minutes, switch the protocol from UDP to TCP in the client settings.

        Lost or stolen laptop. Report it within 24 hours to the service desk at extension 4444 so the device can be wiped remotely. You will receive a replacement within two working days.

        Printers. Follow-me printing releases your job at any office printer when you tap your badge. Colour printing must be enabled by your team lead.
        """;

    private static readonly (string Question, string File, string Phrase)[] Labelled =
    [
        ("How many vacation days do I get each year?", "handbook.md", "25 days of paid vacation"),
        ("Can I carry unused holiday days into next year?", "handbook.md", "carried over"),
        ("When do I need a doctor's note when I'm sick?", "handbook.md", "doctor's certificate"),
        ("How long is parental leave?", "handbook.md", "16 weeks"),
        ("How many days per week can I work from home?", "handbook.md", "three days per week"),
        ("What is the daily limit for meals when travelling on business?", "handbook.md", "45 euros"),
        ("How often should the filter cartridge be replaced?", "aquapure.txt", "six months"),
        ("The water flow is very low, what should I check?", "aquapure.txt", "clogged cartridge"),
        ("Why is the water cloudy after changing the cartridge?", "aquapure.txt", "cloudy"),
        ("Is the cartridge covered by the warranty?", "aquapure.txt", "not covered"),
        ("Which battery does the indicator use?", "aquapure.txt", "CR2032"),
        ("Where did Maria study computer science?", "resume.md", "University of Porto"),
        ("What languages does the candidate speak?", "resume.md", "Portuguese"),
        ("What did she build at Northwind Logistics?", "resume.md", "route-planning service"),
        ("Has she given any conference talks?", "resume.md", "NDC Oslo"),
        ("How do I reset my password?", "it-help.txt", "password.example.com"),
        ("The VPN keeps disconnecting", "it-help.txt", "UDP to TCP"),
        ("My laptop was stolen, what do I do?", "it-help.txt", "wiped remotely"),
        ("How long must a new password be?", "it-help.txt", "14 characters"),
        ("How do I print in colour?", "it-help.txt", "Colour printing"),
    ];

    [Fact]
    public async Task LabelledQuestionsFindTheirPassageMostOfTheTimeAtTopOneAndNearlyAlwaysInTheTopThree()
    {
        // Passages smaller than the default, so each document has several and the right one must be picked.
        await using var host = await DocumentsHost.StartAsync(f => f.With("Documents:ChunkSize", "400").With("Documents:ChunkOverlap", "80"));
        var assistant = host.NewAssistant("usr_quality");
        using var client = host.ClientFor("usr_quality");
        await client.UploadOkAsync(assistant, "rag", "handbook.md", SampleFiles.Utf8(Handbook));
        await client.UploadOkAsync(assistant, "rag", "aquapure.txt", SampleFiles.Utf8(Manual));
        await client.UploadOkAsync(assistant, "rag", "resume.md", SampleFiles.Utf8(Resume));
        await client.UploadOkAsync(assistant, "rag", "it-help.txt", SampleFiles.Utf8(ItHelp));

        int top1 = 0, top3 = 0;
        foreach (var (question, file, phrase) in Labelled)
        {
            var hits = (await client.SearchAsync(assistant, question, 3)).EnumerateArray().ToList();
            var rank = hits.FindIndex(h => h.GetProperty("filename").GetString() == file
                && h.GetProperty("text").GetString()!.Contains(phrase, StringComparison.Ordinal));
            top1 += rank == 0 ? 1 : 0;
            top3 += rank >= 0 ? 1 : 0;
            output.WriteLine($"{(rank < 0 ? "miss" : "rank " + (rank + 1))}: {question}");
        }

        var accuracy1 = top1 / (double)Labelled.Length;
        var accuracy3 = top3 / (double)Labelled.Length;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"top-1 accuracy {accuracy1:P0} ({top1}/{Labelled.Length}), top-3 accuracy {accuracy3:P0} ({top3}/{Labelled.Length})"));
        Assert.True(accuracy1 >= 0.75, $"top-1 accuracy {accuracy1:P0}");
        Assert.True(accuracy3 >= 0.9, $"top-3 accuracy {accuracy3:P0}");
    }

    [Fact]
    public async Task ScoresAreOrderedAndAQuestionAboutNothingInTheDocumentsFindsNothing()
    {
        await using var host = await DocumentsHost.StartAsync();
        var assistant = host.NewAssistant("usr_scores");
        using var client = host.ClientFor("usr_scores");
        await client.UploadOkAsync(assistant, "rag", "it-help.txt", SampleFiles.Utf8(ItHelp));
        await client.UploadOkAsync(assistant, "rag", "aquapure.txt", SampleFiles.Utf8(Manual));

        var hits = (await client.SearchAsync(assistant, "password reset VPN printer cartridge", 5)).EnumerateArray().ToList();
        var nothing = await client.SearchAsync(assistant, "zebra quantum xylophone");

        Assert.True(hits.Count >= 2);
        var scores = hits.Select(h => h.GetProperty("score").GetDouble()).ToList();
        Assert.Equal(scores.OrderByDescending(s => s), scores);
        Assert.All(scores, s => Assert.InRange(s, 0.0, 1.0));
        Assert.All(hits, h => Assert.StartsWith("doc_", h.GetProperty("document_id").GetString(), StringComparison.Ordinal));
        Assert.All(hits, h => Assert.True(h.GetProperty("chunk_index").GetInt32() >= 0));
        Assert.Empty(nothing.EnumerateArray());
    }
}
