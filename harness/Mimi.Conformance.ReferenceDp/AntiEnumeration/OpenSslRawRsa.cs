using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Mimi.Conformance.ReferenceDp.AntiEnumeration;

/// <summary>
/// The issuer's raw RSA private operation (m^d mod n, RSA_NO_PADDING) through OpenSSL's libcrypto, which .NET on
/// Linux already loads: about 30x faster than BigInteger.ModPow. Only a speed-up: when libcrypto is missing the
/// caller falls back to BlindRsa.BlindSign, and every result is checked (s^e = m) by the caller either way.
/// </summary>
internal sealed class OpenSslRawRsa : IDisposable
{
    private const int RsaNoPadding = 3;
    private IntPtr _pkey;

    private OpenSslRawRsa(IntPtr pkey) => _pkey = pkey;

    /// <summary>Null when libcrypto or the key import is unavailable.</summary>
    public static OpenSslRawRsa? TryCreate(RSAParameters key)
    {
        try
        {
            using var rsa = RSA.Create();
            rsa.ImportParameters(key);
            var der = rsa.ExportRSAPrivateKey();
            var buffer = Marshal.AllocHGlobal(der.Length);
            try
            {
                Marshal.Copy(der, 0, buffer, der.Length);
                var cursor = buffer;
                var pkey = Native.d2i_AutoPrivateKey(IntPtr.Zero, ref cursor, der.Length);
                return pkey == IntPtr.Zero ? null : new OpenSslRawRsa(pkey);
            }
            finally
            {
                Marshal.FreeHGlobal(buffer);
            }
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    /// <summary>m^d mod n for a k-byte big-endian m; null when OpenSSL refuses (e.g. m ≥ n).</summary>
    public byte[]? PrivateOperation(byte[] message)
    {
        var ctx = Native.EVP_PKEY_CTX_new(_pkey, IntPtr.Zero);
        if (ctx == IntPtr.Zero)
            return null;
        try
        {
            if (Native.EVP_PKEY_decrypt_init(ctx) != 1 || Native.EVP_PKEY_CTX_set_rsa_padding(ctx, RsaNoPadding) != 1)
                return null;
            var output = new byte[message.Length];
            var length = (nuint)output.Length;
            if (Native.EVP_PKEY_decrypt(ctx, output, ref length, message, (nuint)message.Length) != 1 || length != (nuint)message.Length)
                return null;
            return output;
        }
        finally
        {
            Native.EVP_PKEY_CTX_free(ctx);
        }
    }

    public void Dispose()
    {
        if (_pkey != IntPtr.Zero)
            Native.EVP_PKEY_free(_pkey);
        _pkey = IntPtr.Zero;
    }

    private static class Native
    {
        private const string Lib = "libcrypto.so.3";
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] public static extern IntPtr d2i_AutoPrivateKey(IntPtr a, ref IntPtr pp, long length);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] public static extern IntPtr EVP_PKEY_CTX_new(IntPtr pkey, IntPtr engine);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] public static extern int EVP_PKEY_decrypt_init(IntPtr ctx);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] public static extern int EVP_PKEY_CTX_set_rsa_padding(IntPtr ctx, int pad);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] public static extern int EVP_PKEY_decrypt(IntPtr ctx, byte[] output, ref nuint outlen, byte[] input, nuint inlen);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] public static extern void EVP_PKEY_CTX_free(IntPtr ctx);
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)] public static extern void EVP_PKEY_free(IntPtr pkey);
    }
}
