using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;

namespace Mote.Core.Templates;

/// <summary>
/// Loads TorchSharp's native backend once per process, working around libstdc++ older than GCC 13.
/// </summary>
/// <remarks>
/// TorchSharp-cpu 0.107.0's <c>libLibTorchSharp.so</c> requires <c>GLIBCXX_3.4.32</c> for one symbol,
/// <c>std::ios_base_library_init()</c>; Debian 12 and Ubuntu 22.04 stop at 3.4.30. The build
/// (<c>build/Mote.Core.TorchNative.targets</c>) puts a copy whose requirement is marked weak and a tiny
/// library defining the symbol under <c>mote-native/</c> in the output folder. Here, only when the running
/// system's libstdc++ lacks the version, the shim is loaded with <c>RTLD_GLOBAL</c> (so the symbol is
/// visible to libraries loaded later) and TorchSharp's P/Invokes are bound to the patched copy through a
/// <see cref="NativeLibrary.SetDllImportResolver"/> callback. On a new enough system nothing is changed.
/// </remarks>
public static class TorchRuntime
{
    private const string RequiredVersion = "GLIBCXX_3.4.32";
    private const string MissingSymbol = "_ZSt21ios_base_library_initv";
    private const string NativeFolder = "mote-native";
    private const int RtldNow = 2;
    private const int RtldGlobal = 0x100;

    private static readonly Lock Gate = new();
    private static bool loaded;
    private static string description = "not loaded";

    /// <summary>How the backend was loaded (for diagnostics), e.g. whether the libstdc++ shim was used.</summary>
    public static string Description
    {
        get
        {
            lock (Gate)
            {
                return description;
            }
        }
    }

    /// <summary>
    /// Makes sure TorchSharp's native backend (CPU) is loaded; cheap after the first call and thread-safe.
    /// Mutates process state once: may load two native libraries and registers a DLL import resolver for
    /// the TorchSharp assembly.
    /// </summary>
    /// <exception cref="TorchRuntimeUnavailableException">The backend cannot be loaded; the message says why.</exception>
    public static void EnsureLoaded()
    {
        lock (Gate)
        {
            if (loaded)
            {
                return;
            }

            var how = "TorchSharp loaded as shipped";
            if (NeedsShim())
            {
                how = LoadWithShim();
            }

            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception e) when (e is NotSupportedException or DllNotFoundException or TypeInitializationException or EntryPointNotFoundException or BadImageFormatException)
            {
                throw new TorchRuntimeUnavailableException(
                    $"TorchSharp's native backend (libtorch 2.10 CPU) could not be loaded ({how}): {e.Message}. " +
                    "Install libstdc++ from GCC 13 or newer, or install g++ and rebuild so that the build can provide the " +
                    $"{RequiredVersion} replacement under '{NativeFolder}/'.", e);
            }

            description = how;
            loaded = true;
        }
    }

    /// <summary>True on x64 Linux whose libstdc++ lacks GLIBCXX_3.4.32 (the only case in which anything is changed).</summary>
    internal static bool NeedsShim() =>
        OperatingSystem.IsLinux() && RuntimeInformation.ProcessArchitecture == Architecture.X64 && !SystemLibStdCxxHasRequiredVersion();

    private static string LoadWithShim()
    {
        var folder = FindNativeFolder()
            ?? throw new TorchRuntimeUnavailableException(
                $"This system's libstdc++ lacks {RequiredVersion}, which TorchSharp 0.107's libLibTorchSharp.so requires, and the " +
                $"'{NativeFolder}/' folder the build writes (a patched copy and a replacement library) is missing next to " +
                $"{typeof(TorchRuntime).Assembly.GetName().Name}.dll. Install g++ (apt-get install g++) and rebuild, or install " +
                "libstdc++ from GCC 13 or newer.");
        var shim = Path.Combine(folder, "libmote_iosinit.so");
        var patched = Path.Combine(folder, "libLibTorchSharp.so");

        var libdl = LibDl.Open();
        if (libdl.DlOpen(shim, RtldNow | RtldGlobal) == IntPtr.Zero)
        {
            throw new TorchRuntimeUnavailableException($"Loading '{shim}' failed: {libdl.LastError()}. Rebuild with g++ installed.");
        }

        // The patched copy lives outside the package's native folder, so its $ORIGIN RUNPATH does not reach
        // libtorch; load those first by name through TorchSharp's own deps.json probing, then the copy
        // finds them already loaded by soname.
        var torchAssembly = typeof(torch).Assembly;
        foreach (var dependency in new[] { "c10", "torch_cpu", "torch" })
        {
            if (!NativeLibrary.TryLoad(dependency, torchAssembly, null, out _))
            {
                throw new TorchRuntimeUnavailableException(
                    $"lib{dependency}.so from the libtorch-cpu-linux-x64 package could not be loaded; is the TorchSharp-cpu package restored and copied to the output?");
            }
        }

        IntPtr handle;
        try
        {
            handle = NativeLibrary.Load(patched);
        }
        catch (DllNotFoundException e)
        {
            throw new TorchRuntimeUnavailableException($"Loading the patched '{patched}' failed: {e.Message}", e);
        }

        NativeLibrary.SetDllImportResolver(torchAssembly, (name, _, _) =>
            name is "LibTorchSharp" or "libLibTorchSharp" or "libLibTorchSharp.so" ? handle : IntPtr.Zero);
        return $"libstdc++ lacks {RequiredVersion}: shim and patched libLibTorchSharp.so loaded from '{folder}'";
    }

    private static string? FindNativeFolder()
    {
        var places = new[] { AppContext.BaseDirectory, Path.GetDirectoryName(typeof(TorchRuntime).Assembly.Location) ?? string.Empty };
        foreach (var place in places.Where(p => p.Length > 0))
        {
            var folder = Path.Combine(place, NativeFolder);
            if (File.Exists(Path.Combine(folder, "libmote_iosinit.so")) && File.Exists(Path.Combine(folder, "libLibTorchSharp.so")))
            {
                return folder;
            }
        }

        return null;
    }

    private static bool SystemLibStdCxxHasRequiredVersion()
    {
        var libdl = LibDl.Open();
        var libstdcxx = libdl.DlOpen("libstdc++.so.6", RtldNow);
        return libstdcxx != IntPtr.Zero && libdl.DlVSym(libstdcxx, MissingSymbol, RequiredVersion) != IntPtr.Zero;
    }

    /// <summary>dlopen/dlvsym/dlerror, from libc (glibc ≥ 2.34) or libdl (older glibc).</summary>
    private sealed class LibDl
    {
        private readonly DlOpenFn open;
        private readonly DlVSymFn vsym;
        private readonly DlErrorFn error;

        private LibDl(IntPtr library)
        {
            open = Marshal.GetDelegateForFunctionPointer<DlOpenFn>(NativeLibrary.GetExport(library, "dlopen"));
            vsym = Marshal.GetDelegateForFunctionPointer<DlVSymFn>(NativeLibrary.GetExport(library, "dlvsym"));
            error = Marshal.GetDelegateForFunctionPointer<DlErrorFn>(NativeLibrary.GetExport(library, "dlerror"));
        }

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        private delegate IntPtr DlOpenFn([MarshalAs(UnmanagedType.LPUTF8Str)] string file, int mode);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        private delegate IntPtr DlVSymFn(IntPtr handle, [MarshalAs(UnmanagedType.LPUTF8Str)] string symbol, [MarshalAs(UnmanagedType.LPUTF8Str)] string version);

        [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
        private delegate IntPtr DlErrorFn();

        public static LibDl Open()
        {
            foreach (var name in new[] { "libc.so.6", "libdl.so.2" })
            {
                if (NativeLibrary.TryLoad(name, out var library) && NativeLibrary.TryGetExport(library, "dlvsym", out _))
                {
                    return new LibDl(library);
                }
            }

            throw new TorchRuntimeUnavailableException("Neither libc.so.6 nor libdl.so.2 exports dlopen/dlvsym; a glibc-based Linux is required for TorchSharp here.");
        }

        public IntPtr DlOpen(string file, int mode) => open(file, mode);

        public IntPtr DlVSym(IntPtr handle, string symbol, string version) => vsym(handle, symbol, version);

        public string LastError() => Marshal.PtrToStringUTF8(error()) ?? "unknown error";
    }
}
