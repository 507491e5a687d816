using Mote.Core.Numerics;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Mote.Core.Templates;

/// <summary>
/// Trains a person's model-template with TorchSharp (CPU): an MLP with ReLU and dropout, BCE-with-logits,
/// AdamW, a one-cycle learning rate stepped per batch, early stopping on a held-out stratified validation
/// split, best weights kept in memory. Stateless and thread-safe: concurrent trainings share nothing
/// mutable (each has its own torch generator and seeded streams; no temp files). Same seed, same inputs,
/// same machine → bit-identical template.
/// </summary>
public sealed class TemplateTrainer
{
    private readonly TemplateTrainerOptions options;
    private readonly TimeProvider time;

    /// <summary>Creates a trainer.</summary>
    /// <param name="options">Training options; default <see cref="TemplateTrainerOptions.Default"/>.</param>
    /// <param name="time">Clock for the duration in the summary; default the system clock.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public TemplateTrainer(TemplateTrainerOptions? options = null, TimeProvider? time = null)
    {
        this.options = options ?? TemplateTrainerOptions.Default;
        this.options.Validate();
        this.time = time ?? TimeProvider.System;
    }

    /// <summary>
    /// Trains a model-template. Mutates nothing it is given; sets torch's process-wide intra-op thread count
    /// to <see cref="TemplateTrainerOptions.IntraOpThreads"/> (default 1) when it differs.
    /// </summary>
    /// <param name="set">Positives and negatives; at least 2 of each (one for training, one for validation).</param>
    /// <param name="seed">The seed that fixes jitter, split, shuffling, initialisation and dropout.</param>
    /// <param name="provenance">Backbone, population pack and balance, stored in the template.</param>
    /// <param name="reference">The enrollment descriptor the anchor is measured from when
    /// <see cref="TemplateTrainerOptions.AnchorScale"/> &gt; 0; default the first positive row (the sampler puts the
    /// reference there). Normalised here; not mutated.</param>
    /// <param name="guards">Guards the person's balance asks for (<see cref="BalanceGuards.For"/>), folded
    /// into the trained layers; default none.</param>
    /// <param name="ct">Cancels the wait for the process's native gate (<see cref="NativeWorkGate"/>), never a training under way.</param>
    /// <exception cref="ArgumentException">Too few samples of a class, or a reference of another dimension or zero norm.</exception>
    /// <exception cref="TorchRuntimeUnavailableException">TorchSharp cannot be loaded.</exception>
    public ModelTemplate Train(TrainingSet set, long seed, ModelTemplateProvenance provenance, float[]? reference = null, IReadOnlyList<GroupGuard>? guards = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(provenance);
        if (set.PositiveCount < 2 || set.NegativeCount < 2)
        {
            throw new ArgumentException($"Training needs at least 2 positives and 2 negatives; got {set.PositiveCount} and {set.NegativeCount}.", nameof(set));
        }

        float[]? unitReference = null;
        if (options.AnchorScale > 0)
        {
            reference ??= set.Positives[..set.Dimension];
            if (reference.Length != set.Dimension)
            {
                throw new ArgumentException($"The reference has {reference.Length} values; the training set's dimension is {set.Dimension}.", nameof(reference));
            }

            var norm = Math.Sqrt(reference.Sum(v => (double)v * v));
            unitReference = norm > 0 && double.IsFinite(norm)
                ? reference.Select(v => (float)(v / norm)).ToArray()
                : throw new ArgumentException("The reference has zero or non-finite norm.", nameof(reference));
        }

        TorchRuntime.EnsureLoaded();
        // One native computation per process at a time, whoever trains (NativeWorkGate).
        using var lease = NativeWorkGate.Process.Enter("training", ct);
        // libtorch very rarely fails inside AdamW's step with "Expected false to be true" from Scalar::toFloat
        // (seen 2 times in ~690 trainings of an evaluation run and a few times in test runs, always under heavy load
        // with other threads allocating; never reproduced alone). A training is deterministic for its seed, so a retry
        // returns exactly the template the first attempt would have: retry twice before giving up.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var trained = TrainOnce(set, seed, provenance, unitReference);
                return guards is { Count: > 0 }
                    ? new ModelTemplate(provenance, seed, GroupGuard.Fold(trained.Layers, guards), trained.Training, trained.Precision, trained.Anchor)
                    : trained;
            }
            catch (System.Runtime.InteropServices.ExternalException) when (attempt < 3)
            {
                Interlocked.Increment(ref _retriedAfterTorchFailure);
            }
        }
    }

    /// <summary>
    /// How many trainings of this trainer were retried after a libtorch failure (see <see cref="Train"/>); for logs and
    /// reports. Counted per trainer, not per process, so an evaluation run counts its own retries and not those of
    /// enrollments training beside it (it was a process-wide counter until issue 15).
    /// </summary>
    public int RetriedAfterTorchFailure => Volatile.Read(ref _retriedAfterTorchFailure);

    private int _retriedAfterTorchFailure;

    private ModelTemplate TrainOnce(TrainingSet set, long seed, ModelTemplateProvenance provenance, float[]? unitReference)
    {
        if (torch.get_num_threads() != options.IntraOpThreads)
        {
            torch.set_num_threads(options.IntraOpThreads);
        }

        var started = time.GetTimestamp();
        var streams = new SeedStreams(seed);
        var architecture = new MlpArchitecture(options.HiddenWidths.Prepend(set.Dimension).Append(1));
        var jitterRandom = streams.NextRandom();
        if (options.WidthJitter > 0)
        {
            architecture = architecture.WithJitter(options.WidthJitter, jitterRandom);
        }

        var split = SplitStratified(set, streams.NextRandom());
        var shuffle = streams.NextRandom();
        var initial = Initialise(architecture, streams.NextRandom());
        var anchor = unitReference is null ? null : new TemplateAnchor((float)options.AnchorScale, (float)options.AnchorCosine);
        if (anchor is not null)
        {
            // The correction g starts at exactly 0, so an untrained template decides like the scaled cosine; g then
            // learns only what the synthetic samples ask of it.
            Array.Clear(initial[^1].W);
            Array.Clear(initial[^1].B);
        }
        using var dropoutGenerator = new Generator(streams.NextUInt64());

        using var scope = NewDisposeScope();
        var parameters = initial.Select(l => (
            W: new Parameter(tensor(l.W, [l.Out, l.In])),
            B: new Parameter(tensor(l.B, [l.Out])))).ToArray();
        var xTrain = tensor(split.TrainX, [split.TrainCount, set.Dimension]);
        var yTrain = tensor(split.TrainY);
        var xVal = tensor(split.ValX, [split.ValCount, set.Dimension]);
        var yVal = tensor(split.ValY);
        // Anchor term a·(x·r̂ − c) of every row, computed once: it has no trainable part.
        // Computed in C#, not with torch's scalar ops: libtorch's Scalar conversion is where the rare "Expected false to be
        // true" failures under concurrent trainings come from (Scalar.h:140, seen in AdamW and, with 2 parallel trainings
        // at load 7, three times in a row in mul_(Scalar) here).
        Tensor? anchorTrain = null, anchorVal = null;
        // The cap as a tensor (min with a scalar goes through libtorch's Scalar conversion, see above).
        var cap = anchor is not null && options.CorrectionCap is { } capValue ? tensor(new[] { (float)capValue }) : null;
        if (anchor is not null)
        {
            anchorTrain = tensor(AnchorTerms(split.TrainX, split.TrainCount, unitReference!, anchor));
            anchorVal = tensor(AnchorTerms(split.ValX, split.ValCount, unitReference!, anchor));
        }

        var optimizer = optim.AdamW(parameters.SelectMany(p => new[] { p.W, p.B }), options.LearningRate, weight_decay: options.WeightDecay);
        var stepsPerEpoch = (split.TrainCount + options.BatchSize - 1) / options.BatchSize;
        // Stepped once per batch over the whole run (the reference code stepped it per epoch, so its
        // schedule never left the warm-up phase).
        var scheduler = optim.lr_scheduler.OneCycleLR(optimizer, options.MaxLearningRate, total_steps: options.MaxEpochs * stepsPerEpoch);

        var order = Enumerable.Range(0, split.TrainCount).ToArray();
        var bestLoss = float.PositiveInfinity;
        float bestTrainLoss = float.NaN;
        int bestEpoch = 0, epoch = 0;
        var best = CopyWeights(parameters);
        while (epoch < options.MaxEpochs)
        {
            epoch++;
            shuffle.Shuffle(order);
            double trainLossSum = 0;
            using (var epochScope = NewDisposeScope())
            {
                // One gather per epoch; batches are then views (narrow), not copies.
                var permutation = tensor(order.Select(i => (long)i).ToArray());
                var xEpoch = xTrain.index_select(0, permutation);
                var yEpoch = yTrain.index_select(0, permutation);
                var aEpoch = anchorTrain?.index_select(0, permutation);
                for (var start = 0; start < order.Length; start += options.BatchSize)
                {
                    using var batchScope = NewDisposeScope();
                    var count = Math.Min(options.BatchSize, order.Length - start);
                    var logits = Forward(parameters, xEpoch.narrow(0, start, count), options.Dropout, dropoutGenerator);
                    if (cap is not null)
                    {
                        logits = logits.minimum(cap);
                    }

                    if (aEpoch is not null)
                    {
                        logits = logits.add(aEpoch.narrow(0, start, count));
                    }

                    var loss = nn.functional.binary_cross_entropy_with_logits(logits, yEpoch.narrow(0, start, count));
                    optimizer.zero_grad();
                    loss.backward();
                    optimizer.step();
                    scheduler.step();
                    trainLossSum += loss.item<float>() * count;
                }
            }

            float valLoss;
            using (no_grad())
            using (var evalScope = NewDisposeScope())
            {
                var valLogits = Forward(parameters, xVal, 0, null);
                if (cap is not null)
                {
                    valLogits = valLogits.minimum(cap);
                }

                if (anchorVal is not null)
                {
                    valLogits = valLogits.add(anchorVal);
                }

                valLoss = nn.functional.binary_cross_entropy_with_logits(valLogits, yVal).item<float>();
            }

            if (valLoss < bestLoss)
            {
                bestLoss = valLoss;
                bestEpoch = epoch;
                bestTrainLoss = (float)(trainLossSum / order.Length);
                best = CopyWeights(parameters);
            }
            else if (epoch - bestEpoch >= options.Patience)
            {
                break;
            }
        }

        var summary = new TrainingSummary(epoch, bestEpoch, bestLoss, bestTrainLoss, time.GetElapsedTime(started));
        if (anchor is null)
        {
            return new ModelTemplate(provenance, seed, best, summary, options.Precision);
        }

        var layers = anchor.Fold(best, unitReference);
        if (cap is not null)
        {
            layers = anchor.FoldCap(layers, (float)options.CorrectionCap!.Value);
        }

        return new ModelTemplate(provenance, seed, layers, summary, options.Precision, anchor);
    }

    /// <summary>TorchSharp's eval-mode forward of a template's MLP (for checking the pure-C# forward).</summary>
    internal static float[] TorchLogits(ModelTemplate template, float[] probes, int probeCount)
    {
        TorchRuntime.EnsureLoaded();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var parameters = template.Layers.Select(l => (
            W: new Parameter(tensor(l.Weights.ToArray(), [l.Outputs, l.Inputs]), requires_grad: false),
            B: new Parameter(tensor(l.Bias.ToArray(), [l.Outputs]), requires_grad: false))).ToArray();
        var logits = Forward(parameters, tensor(probes, [probeCount, template.Dimension]), 0, null);
        return logits.data<float>().ToArray();
    }

    private static Tensor Forward((Parameter W, Parameter B)[] layers, Tensor x, double dropout, Generator? generator)
    {
        var h = x;
        for (var l = 0; l < layers.Length - 1; l++)
        {
            h = nn.functional.relu(nn.functional.linear(h, layers[l].W, layers[l].B));
            if (dropout > 0 && generator is not null)
            {
                // Dropout drawn from this training's own generator (torch's dropout would use the global one).
                var keep = empty_like(h).bernoulli_(1.0 - dropout, generator).div_(1.0 - dropout);
                h = h.mul(keep);
            }
        }

        return nn.functional.linear(h, layers[^1].W, layers[^1].B).squeeze(-1);
    }

    private static float[] AnchorTerms(float[] rows, int count, float[] unitReference, TemplateAnchor anchor)
    {
        var d = unitReference.Length;
        var terms = new float[count];
        for (var i = 0; i < count; i++)
        {
            terms[i] = (float)anchor.LogitAt(Kernels.Dot(rows.AsSpan(i * d, d), unitReference));
        }

        return terms;
    }

    private static DenseLayer[] CopyWeights((Parameter W, Parameter B)[] parameters) =>
        parameters.Select(p =>
        {
            var w = p.W.detach().data<float>().ToArray();
            var b = p.B.detach().data<float>().ToArray();
            return new DenseLayer((int)p.W.shape[1], (int)p.W.shape[0], w, b);
        }).ToArray();

    /// <summary>PyTorch's default Linear initialisation, U(−1/√fan_in, 1/√fan_in) for weights and biases, from a seeded stream.</summary>
    private static (int In, int Out, float[] W, float[] B)[] Initialise(MlpArchitecture architecture, Random random)
    {
        var layers = new (int, int, float[], float[])[architecture.LayerCount];
        for (var l = 0; l < layers.Length; l++)
        {
            int fanIn = architecture.Widths[l], fanOut = architecture.Widths[l + 1];
            var bound = 1.0 / Math.Sqrt(fanIn);
            var w = new float[fanIn * fanOut];
            var b = new float[fanOut];
            for (var i = 0; i < w.Length; i++)
            {
                w[i] = (float)((random.NextDouble() * 2 - 1) * bound);
            }

            for (var i = 0; i < b.Length; i++)
            {
                b[i] = (float)((random.NextDouble() * 2 - 1) * bound);
            }

            layers[l] = (fanIn, fanOut, w, b);
        }

        return layers;
    }

    private DataSplit SplitStratified(TrainingSet set, Random random)
    {
        var d = set.Dimension;
        var positives = Enumerable.Range(0, set.PositiveCount).ToArray();
        var negatives = Enumerable.Range(0, set.NegativeCount).ToArray();
        random.Shuffle(positives);
        random.Shuffle(negatives);
        var valPositives = Math.Clamp((int)Math.Round(positives.Length * options.ValidationFraction), 1, positives.Length - 1);
        var valNegatives = Math.Clamp((int)Math.Round(negatives.Length * options.ValidationFraction), 1, negatives.Length - 1);
        var train = positives[valPositives..].Select(i => (Source: set.Positives, Row: i, Label: 1f))
            .Concat(negatives[valNegatives..].Select(i => (Source: set.Negatives, Row: i, Label: 0f))).ToArray();
        var val = positives[..valPositives].Select(i => (Source: set.Positives, Row: i, Label: 1f))
            .Concat(negatives[..valNegatives].Select(i => (Source: set.Negatives, Row: i, Label: 0f))).ToArray();

        static (float[] X, float[] Y) Gather((float[] Source, int Row, float Label)[] rows, int d)
        {
            var x = new float[rows.Length * d];
            var y = new float[rows.Length];
            for (var i = 0; i < rows.Length; i++)
            {
                Array.Copy(rows[i].Source, rows[i].Row * d, x, i * d, d);
                y[i] = rows[i].Label;
            }

            return (x, y);
        }

        var (trainX, trainY) = Gather(train, d);
        var (valX, valY) = Gather(val, d);
        return new DataSplit(trainX, trainY, valX, valY);
    }

    private sealed record DataSplit(float[] TrainX, float[] TrainY, float[] ValX, float[] ValY)
    {
        public int TrainCount => TrainY.Length;

        public int ValCount => ValY.Length;
    }
}
