using System.IO.Compression;
using System.Net.Http.Headers;
using System.Text;

namespace EndToEnd.Tests.Hostile;

/// <summary>Multipart bodies a careless or hostile client uploads.</summary>
public static class Uploads
{
    public static IEnumerable<(string Name, HttpContent Content)> All(string assistantId)
    {
        yield return ("a text file posing as a PDF", Form(assistantId, "report.pdf", "application/pdf", "not a pdf at all"u8.ToArray()));
        yield return ("a text file posing as a WAV", Form(assistantId, "voice.wav", "audio/wav", "RIFF but no wave"u8.ToArray()));
        yield return ("a traversing file name", Form(assistantId, "../../../../etc/passwd", "text/plain", "root:x:0:0"u8.ToArray()));
        yield return ("a file name with a NUL", Form(assistantId, "a\0b.txt", "text/plain", "hello"u8.ToArray()));
        yield return ("an empty file", Form(assistantId, "empty.txt", "text/plain", []));
        yield return ("a zip bomb as DOCX", Form(assistantId, "bomb.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZipBomb()));
        yield return ("an unknown type", Form(assistantId, "x.exe", "application/x-msdownload", [0x4D, 0x5A, 0x90, 0x00]));
        yield return ("no file part", FieldsOnly(assistantId));
        yield return ("a truncated body", Truncated(assistantId));
        yield return ("a multipart type without a boundary", WithoutBoundary());
        yield return ("a bad type and purpose", BadFields());
    }

    private static MultipartFormDataContent Form(string assistantId, string filename, string mediaType, byte[] bytes)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        // Set by hand, so hostile names reach the server exactly as written.
        file.Headers.TryAddWithoutValidation("Content-Disposition", $"form-data; name=\"file\"; filename=\"{filename}\"");
        form.Add(file);
        form.Add(new StringContent("rag"), "type");
        form.Add(new StringContent("assistants"), "purpose");
        form.Add(new StringContent(assistantId), "assistant_id");
        form.Add(new StringContent("whisper-1"), "model");
        return form;
    }

    private static MultipartFormDataContent FieldsOnly(string assistantId)
    {
        var form = new MultipartFormDataContent { { new StringContent("rag"), "type" }, { new StringContent(assistantId), "assistant_id" } };
        form.Add(new StringContent("assistants"), "purpose");
        return form;
    }

    private static MultipartFormDataContent BadFields()
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent("hello"u8.ToArray());
        file.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        form.Add(file, "file", "hello.txt");
        form.Add(new StringContent("poem"), "type");
        form.Add(new StringContent("nonsense"), "purpose");
        form.Add(new StringContent("asst_" + new string('9', 300)), "assistant_id");
        return form;
    }

    /// <summary>A form cut off in the middle of its file part: no closing boundary ever comes.</summary>
    private static ByteArrayContent Truncated(string assistantId)
    {
        const string boundary = "cut-here-1234";
        var text = $"--{boundary}\r\nContent-Disposition: form-data; name=\"assistant_id\"\r\n\r\n{assistantId}\r\n" +
            $"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\nContent-Type: audio/wav\r\n\r\nRIFF1234WAVEfmt ";
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes(text));
        content.Headers.TryAddWithoutValidation("Content-Type", $"multipart/form-data; boundary={boundary}");
        return content;
    }

    private static ByteArrayContent WithoutBoundary()
    {
        var content = new ByteArrayContent("--x\r\n\r\n"u8.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data");
        return content;
    }

    /// <summary>A DOCX whose document part inflates from a few kilobytes to tens of megabytes.</summary>
    private static byte[] ZipBomb()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using (var types = new StreamWriter(zip.CreateEntry("[Content_Types].xml").Open()))
            {
                types.Write("<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>");
            }
            using var document = zip.CreateEntry("word/document.xml", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 80; i++)
            {
                document.Write(zeros);
            }
        }
        return buffer.ToArray();
    }
}
