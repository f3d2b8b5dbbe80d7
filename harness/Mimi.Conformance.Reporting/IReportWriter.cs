using Mimi.Conformance.Protocol.Files;

namespace Mimi.Conformance.Reporting;

/// <summary>One report format (docs/ARCHITECTURE.md §6): a document as the bytes of one file of a run directory.</summary>
public interface IReportWriter<in TDocument>
{
    /// <summary>The file's name inside a run directory.</summary>
    string FileName { get; }

    /// <summary>Writes the document to <paramref name="stream"/>, leaving it open.</summary>
    void Write(TDocument document, Stream stream);
}

/// <summary>A format written as UTF-8 text with "\n" line ends.</summary>
public abstract class TextReportWriter<TDocument>(string fileName) : IReportWriter<TDocument>
{
    string IReportWriter<TDocument>.FileName => fileName;

    /// <summary>Writes the document as text; <see cref="Write(TDocument, Stream)"/> checks the arguments.</summary>
    public abstract void Write(TDocument document, TextWriter writer);

    public void Write(TDocument document, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(document);
        ReportFiles.WriteText(stream, writer => Write(document, writer));
    }
}

/// <summary>What every format can do once it can write a stream.</summary>
public static class ReportWriterExtensions
{
    /// <summary>The file's content as text.</summary>
    public static string Render<TDocument>(this IReportWriter<TDocument> format, TDocument document)
    {
        ArgumentNullException.ThrowIfNull(format);
        using var stream = new MemoryStream();
        format.Write(document, stream);
        return ReportFiles.Utf8.GetString(stream.ToArray());
    }

    /// <summary>Writes <paramref name="path"/> atomically (a reader never sees half a report).</summary>
    public static void WriteFile<TDocument>(this IReportWriter<TDocument> format, TDocument document, string path)
    {
        ArgumentNullException.ThrowIfNull(format);
        AtomicFile.Write(path, stream => format.Write(document, stream));
    }

    /// <summary>Writes the format's file into <paramref name="directory"/>; returns its full path.</summary>
    public static string WriteInto<TDocument>(this IReportWriter<TDocument> format, TDocument document, string directory)
    {
        ArgumentNullException.ThrowIfNull(format);
        var path = Path.Combine(Path.GetFullPath(directory), format.FileName);
        format.WriteFile(document, path);
        return path;
    }
}
