namespace Mote.Core.Evaluation;

/// <summary>
/// Multinomial logistic regression with L2 penalty, trained by full-batch gradient descent with Nesterov momentum on
/// standardised features (mean 0, sd 1 from the training rows). Small and deterministic: no randomness at all, so a
/// fit depends only on its data.
/// </summary>
public sealed class LogisticRegression
{
    private readonly double[] mean;
    private readonly double[] scale;
    private readonly float[] weights; // classes × (features + 1), bias last
    private readonly int features;

    private LogisticRegression(double[] mean, double[] scale, float[] weights, int classes)
    {
        this.mean = mean;
        this.scale = scale;
        this.weights = weights;
        features = mean.Length;
        Classes = classes;
    }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Fits on rows <paramref name="x"/> (each of equal length) with labels 0…classes−1.</summary>
    /// <param name="x">Feature rows; not mutated.</param>
    /// <param name="y">Labels.</param>
    /// <param name="classes">Number of classes (≥ 2).</param>
    /// <param name="l2">Penalty on the weights (not the biases); default 1e-2.</param>
    /// <param name="iterations">Gradient steps; default 300.</param>
    public static LogisticRegression Fit(IReadOnlyList<float[]> x, IReadOnlyList<int> y, int classes, double l2 = 1e-2, int iterations = 300)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        if (x.Count == 0 || x.Count != y.Count)
        {
            throw new ArgumentException($"Give as many labels as rows (got {x.Count} rows, {y.Count} labels), at least one.");
        }

        var d = x[0].Length;
        var n = x.Count;
        var mean = new double[d];
        var scale = new double[d];
        foreach (var row in x)
        {
            if (row.Length != d)
            {
                throw new ArgumentException("Rows differ in length.", nameof(x));
            }

            for (var j = 0; j < d; j++)
            {
                mean[j] += row[j];
            }
        }

        for (var j = 0; j < d; j++)
        {
            mean[j] /= n;
        }

        foreach (var row in x)
        {
            for (var j = 0; j < d; j++)
            {
                var c = row[j] - mean[j];
                scale[j] += c * c;
            }
        }

        for (var j = 0; j < d; j++)
        {
            var sd = Math.Sqrt(scale[j] / n);
            scale[j] = sd > 1e-12 ? 1 / sd : 0;
        }

        // Standardised design matrix, bias column last.
        var stride = d + 1;
        var design = new float[n * stride];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < d; j++)
            {
                design[i * stride + j] = (float)((x[i][j] - mean[j]) * scale[j]);
            }

            design[i * stride + d] = 1;
        }

        var w = new float[classes * stride];
        var velocity = new float[w.Length];
        var lookahead = new float[w.Length];
        var gradient = new float[w.Length];
        var probabilities = new double[classes];
        // Step 1/L for the softmax loss: L ≤ 0.5·λmax(XᵀX/n) + l2, λmax by power iteration (the trace bound
        // 0.5·(d+1) is ~100x too cautious for 25,825 weight features and left the fit far from converged).
        var step = (float)(1.0 / (0.5 * 1.1 * LargestEigenvalue(design, n, stride) + l2));
        const float Momentum = 0.9f;
        for (var it = 0; it < iterations; it++)
        {
            for (var k = 0; k < w.Length; k++)
            {
                lookahead[k] = w[k] + Momentum * velocity[k];
            }

            Array.Clear(gradient);
            for (var i = 0; i < n; i++)
            {
                var row = design.AsSpan(i * stride, stride);
                for (var c = 0; c < classes; c++)
                {
                    probabilities[c] = Dot(lookahead.AsSpan(c * stride, stride), row);
                }

                SoftmaxInPlace(probabilities);
                for (var c = 0; c < classes; c++)
                {
                    var err = (float)((probabilities[c] - (y[i] == c ? 1 : 0)) / n);
                    Axpy(err, row, gradient.AsSpan(c * stride, stride));
                }
            }

            for (var c = 0; c < classes; c++)
            {
                for (var j = 0; j < d; j++)
                {
                    gradient[c * stride + j] += (float)l2 * lookahead[c * stride + j];
                }
            }

            for (var k = 0; k < w.Length; k++)
            {
                velocity[k] = Momentum * velocity[k] - step * gradient[k];
                w[k] += velocity[k];
            }
        }

        return new LogisticRegression(mean, scale, w, classes);
    }

    /// <summary>The most probable class of a row.</summary>
    public int Predict(ReadOnlySpan<float> row)
    {
        var stride = features + 1;
        var best = 0;
        var bestLogit = double.NegativeInfinity;
        for (var c = 0; c < Classes; c++)
        {
            var w = weights.AsSpan(c * stride, stride);
            double logit = w[features];
            for (var j = 0; j < features; j++)
            {
                logit += w[j] * (row[j] - mean[j]) * scale[j];
            }

            if (logit > bestLogit)
            {
                bestLogit = logit;
                best = c;
            }
        }

        return best;
    }

    private static double LargestEigenvalue(float[] design, int n, int stride)
    {
        var v = new float[stride];
        Array.Fill(v, (float)(1 / Math.Sqrt(stride)));
        var next = new float[stride];
        double lambda = 1;
        for (var it = 0; it < 30; it++)
        {
            Array.Clear(next);
            for (var i = 0; i < n; i++)
            {
                var row = design.AsSpan(i * stride, stride);
                Axpy(Dot(row, v) / n, row, next);
            }

            lambda = Math.Sqrt(Dot(next, next));
            if (!(lambda > 0))
            {
                return 1;
            }

            for (var j = 0; j < stride; j++)
            {
                v[j] = (float)(next[j] / lambda);
            }
        }

        return lambda;
    }

    private static void SoftmaxInPlace(double[] logits)
    {
        var max = logits.Max();
        double sum = 0;
        for (var c = 0; c < logits.Length; c++)
        {
            logits[c] = Math.Exp(logits[c] - max);
            sum += logits[c];
        }

        for (var c = 0; c < logits.Length; c++)
        {
            logits[c] /= sum;
        }
    }

    private static float Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var acc = System.Numerics.Vector<float>.Zero;
        var width = System.Numerics.Vector<float>.Count;
        var j = 0;
        for (; j + width <= a.Length; j += width)
        {
            acc += new System.Numerics.Vector<float>(a[j..]) * new System.Numerics.Vector<float>(b[j..]);
        }

        var sum = System.Numerics.Vector.Sum(acc);
        for (; j < a.Length; j++)
        {
            sum += a[j] * b[j];
        }

        return sum;
    }

    private static void Axpy(float alpha, ReadOnlySpan<float> x, Span<float> y)
    {
        var width = System.Numerics.Vector<float>.Count;
        var scaled = new System.Numerics.Vector<float>(alpha);
        var j = 0;
        for (; j + width <= x.Length; j += width)
        {
            (new System.Numerics.Vector<float>(y[j..]) + scaled * new System.Numerics.Vector<float>(x[j..])).CopyTo(y[j..]);
        }

        for (; j < x.Length; j++)
        {
            y[j] += alpha * x[j];
        }
    }
}

/// <summary>The outcome of one attribute-inference attack.</summary>
/// <param name="Attribute">What was predicted (e.g. gender).</param>
/// <param name="Source">What the attacker read (e.g. vector templates, MOTE weights, MOTE responses).</param>
/// <param name="Samples">Rows used (class-balanced).</param>
/// <param name="Classes">Class names, in label order.</param>
/// <param name="PerClass">Rows per class (equal: the data are subsampled to the smallest class).</param>
/// <param name="Folds">Cross-validation folds.</param>
/// <param name="Accuracy">Share of out-of-fold predictions that were right.</param>
/// <param name="AccuracyLow">Wilson 95% interval, lower end.</param>
/// <param name="AccuracyHigh">Wilson 95% interval, upper end.</param>
/// <param name="FoldAccuracies">Accuracy of each fold.</param>
/// <param name="Chance">Chance level: 1 / classes (the classes are balanced).</param>
public sealed record AttackResult(
    string Attribute, string Source, int Samples, IReadOnlyList<string> Classes, int PerClass, int Folds,
    double Accuracy, double AccuracyLow, double AccuracyHigh, IReadOnlyList<double> FoldAccuracies, double Chance);

/// <summary>
/// Attribute inference from stored templates: a class-balanced, seeded subsample; stratified k-fold cross-validation
/// of <see cref="LogisticRegression"/>; out-of-fold accuracy with a Wilson interval against chance = 1/classes.
/// </summary>
public static class AttributeInferenceAttack
{
    /// <summary>Runs the attack. Rows with a null label are left out. Mutates nothing.</summary>
    /// <exception cref="ArgumentException">Fewer than two classes with at least <paramref name="folds"/> rows each.</exception>
    public static AttackResult Run(
        string attribute, string source, IReadOnlyList<float[]> features, IReadOnlyList<string?> labels, int seed,
        int folds = 5, int maxPerClass = int.MaxValue, double l2 = 1e-2, int iterations = 300)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(labels);
        var random = new Random(seed);
        var byClass = Enumerable.Range(0, features.Count).Where(i => labels[i] is not null)
            .GroupBy(i => labels[i]!, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => (Name: g.Key, Rows: g.ToArray())).ToArray();
        var perClass = byClass.Length == 0 ? 0 : Math.Min(maxPerClass, byClass.Min(c => c.Rows.Length));
        if (byClass.Length < 2 || perClass < folds)
        {
            throw new ArgumentException($"The {attribute} attack needs two or more classes with at least {folds} rows each; got "
                + string.Join(", ", byClass.Select(c => $"{c.Name} {c.Rows.Length}")) + ".");
        }

        // Balanced subsample; fold = position within the class mod folds (stratified).
        var rows = new List<(int Row, int Label, int Fold)>();
        for (var c = 0; c < byClass.Length; c++)
        {
            var chosen = byClass[c].Rows.ToArray();
            random.Shuffle(chosen);
            for (var k = 0; k < perClass; k++)
            {
                rows.Add((chosen[k], c, k % folds));
            }
        }

        var correct = 0;
        var foldAccuracies = new double[folds];
        for (var f = 0; f < folds; f++)
        {
            var train = rows.Where(r => r.Fold != f).ToArray();
            var test = rows.Where(r => r.Fold == f).ToArray();
            var model = LogisticRegression.Fit(train.Select(r => features[r.Row]).ToArray(), train.Select(r => r.Label).ToArray(), byClass.Length, l2, iterations);
            var right = test.Count(r => model.Predict(features[r.Row]) == r.Label);
            correct += right;
            foldAccuracies[f] = right / (double)test.Length;
        }

        var (low, high) = Wilson(correct, rows.Count);
        return new AttackResult(attribute, source, rows.Count, byClass.Select(c => c.Name).ToArray(), perClass, folds,
            correct / (double)rows.Count, low, high, foldAccuracies, 1.0 / byClass.Length);
    }

    /// <summary>Wilson score 95% interval for a proportion.</summary>
    public static (double Low, double High) Wilson(int successes, int trials)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 1);
        const double Z = 1.959963984540054;
        var p = successes / (double)trials;
        var denominator = 1 + Z * Z / trials;
        var centre = (p + Z * Z / (2 * trials)) / denominator;
        var half = Z * Math.Sqrt(p * (1 - p) / trials + Z * Z / (4.0 * trials * trials)) / denominator;
        // At p = 0 or 1 the interval's end is exactly p; floating point leaves it 1e-16 short, outside [low, high].
        return (successes == 0 ? 0 : Math.Max(0, centre - half), successes == trials ? 1 : Math.Min(1, centre + half));
    }
}
