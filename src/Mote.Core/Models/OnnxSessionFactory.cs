using Microsoft.ML.OnnxRuntime;

namespace Mote.Core.Models;

/// <summary>
/// Creates ONNX Runtime sessions with the options tuned for the face pipeline: full graph optimisation,
/// one intra-op thread per core, no spinning of idle workers, one inter-op thread and sequential execution
/// (our graphs are chains, so parallel branches buy nothing and extra threads only contend on 2-core hosts;
/// measurements in docs/faces.md). Holds one native
/// <see cref="SessionOptions"/> shared by every session it creates; dispose it after the sessions.
/// Meant to be a singleton.
/// </summary>
public sealed class OnnxSessionFactory : IDisposable
{
    private readonly SessionOptions _sessionOptions;
    private bool _disposed;

    /// <param name="options">Thread count and optimisation level; defaults as in <see cref="OnnxSessionOptions"/>.</param>
    public OnnxSessionFactory(OnnxSessionOptions? options = null)
    {
        options ??= new OnnxSessionOptions();
        if (options.IntraOpThreads < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.IntraOpThreads, "IntraOpThreads must be at least 1.");
        }
        _sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = options.OptimizationLevel,
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            EnableMemoryPattern = options.EnableMemoryPattern,
        };
        if (!options.AllowSpinning)
        {
            _sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        }

        if (options.DisabledOptimizers.Count > 0)
        {
            _sessionOptions.AddSessionConfigEntry("optimization.disable_specified_optimizers", string.Join(',', options.DisabledOptimizers));
        }

        Options = options;
    }

    /// <summary>The options this factory was built from (not to be changed after construction).</summary>
    public OnnxSessionOptions Options { get; }

    /// <summary>Creates a session for the ONNX file at <paramref name="onnxPath"/>; the caller disposes it.</summary>
    /// <exception cref="FileNotFoundException">No file at <paramref name="onnxPath"/>.</exception>
    public InferenceSession Create(string onnxPath)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!File.Exists(onnxPath))
        {
            throw new FileNotFoundException($"ONNX model '{onnxPath}' does not exist.", onnxPath);
        }
        return new InferenceSession(onnxPath, _sessionOptions);
    }

    /// <summary>Creates a session for an in-memory model; the caller disposes it.</summary>
    public InferenceSession Create(byte[] onnx)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(onnx);
        return new InferenceSession(onnx, _sessionOptions);
    }

    /// <summary>Creates a session for a provisioned model.</summary>
    public InferenceSession Create(ModelPackEntry model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Create(model.OnnxPath);
    }

    /// <summary>Releases the shared session options; dispose the sessions made by this factory first. Safe to call more than once.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _sessionOptions.Dispose();
        }
    }
}
