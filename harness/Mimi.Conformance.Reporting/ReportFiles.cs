using System.Text;

namespace Mimi.Conformance.Reporting;

/// <summary>File plumbing shared by the report writers.</summary>
public static class ReportFiles
{
    /// <summary>UTF-8 without a byte-order mark: what browsers, CI tools and XML parsers all expect.</summary>
    public static readonly Encoding Utf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Writes text through a <see cref="TextWriter"/> over <paramref name="stream"/>, leaving the stream open.</summary>
    public static void WriteText(Stream stream, Action<TextWriter> write)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new StreamWriter(stream, Utf8, bufferSize: 16 * 1024, leaveOpen: true) { NewLine = "\n" };
        write(writer);
        writer.Flush();
    }
}
