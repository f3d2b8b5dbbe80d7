namespace Mimi.Conformance.ReferenceDp.Hosting;

/// <summary>Writes a key file once: mode 0600, temp file then rename, so a crash never leaves half a key.</summary>
internal static class SecretFile
{
    public static void CreateOnce(string path, string contents)
    {
        var tmp = $"{path}.{Environment.ProcessId}.tmp";
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(tmp, options))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(contents);
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
        try
        {
            // No overwrite: if another process won the race, its key stands and ours is dropped.
            File.Move(tmp, path, overwrite: false);
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(tmp);
        }
    }
}
