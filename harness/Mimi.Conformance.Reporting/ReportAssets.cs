namespace Mimi.Conformance.Reporting;

/// <summary>report.html's stylesheet and script: asset files embedded in this assembly (Assets/, see the project file).</summary>
internal static class ReportAssets
{
    public static string Css { get; } = Load("report.css");

    public static string Script { get; } = Load("report.js");

    public static string MatrixScript { get; } = Load("matrix.js");

    /// <summary>The asset's text without the file's final line end (the page inlines it before its closing tag).</summary>
    public static string Load(string name)
    {
        using var stream = typeof(ReportAssets).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the asset {name} is not embedded in {typeof(ReportAssets).Assembly.GetName().Name}");
        using var reader = new StreamReader(stream, ReportFiles.Utf8);
        var text = reader.ReadToEnd().ReplaceLineEndings("\n");
        return text.EndsWith('\n') ? text[..^1] : text;
    }
}
