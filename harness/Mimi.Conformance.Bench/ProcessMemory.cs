using System.Globalization;
using System.Runtime.InteropServices;

namespace Mimi.Conformance.Bench;

/// <summary>Peak resident set sizes, from the kernel: this process's VmHWM, and the largest waited-for child's ru_maxrss.</summary>
internal static class ProcessMemory
{
    private const int RusageChildren = -1;

    /// <summary>Peak RSS of this process so far, in KiB (/proc/self/status VmHWM), or null off Linux.</summary>
    public static long? SelfPeakKib()
    {
        try
        {
            var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line["VmHWM:".Length..].Replace("kB", "", StringComparison.Ordinal).Trim(), CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// ru_maxrss of RUSAGE_CHILDREN, in KiB: the peak RSS of the LARGEST terminated, waited-for child so far (not
    /// a sum). Read right after a child exits and before any larger child runs, it is that child's peak.
    /// </summary>
    public static long? LargestChildPeakKib()
    {
        if (!OperatingSystem.IsLinux())
            return null;
        // struct rusage on 64-bit Linux: two struct timeval (16 bytes each), then longs; ru_maxrss is the first long.
        var usage = new long[18];
        return Native.getrusage(RusageChildren, usage) == 0 ? usage[4] : null;
    }

    private static class Native
    {
        [DllImport("libc", CallingConvention = CallingConvention.Cdecl)] public static extern int getrusage(int who, [Out] long[] usage);
    }
}
