using Cuemu.Tools.ModelGen;
using Cuemu.Tools.ModelGen.Gguf;

// cuemu-modelgen --vocab <vocab-only.gguf> --out <folder> [--models tiny,small100m] [--types f32,f16,q8_0,q4_0]
// Writes <model>-<type>.gguf for every requested pair. Default: tiny in F32 (the quantisation oracle's
// input), F16, Q8_0 and Q4_0; small100m in F16, Q8_0 and Q4_0.

var options = ParseOptions(args);
if (options is null)
{
    Console.Error.WriteLine("usage: cuemu-modelgen --vocab <vocab-only.gguf> --out <folder> [--models tiny,small100m] [--types f32,f16,q8_0,q4_0]");
    return 2;
}

var vocabulary = GgufReader.ReadMetadata(options.VocabPath)
    .Where(entry => entry.Key.StartsWith("tokenizer.", StringComparison.Ordinal))
    .ToList();
var tokens = vocabulary.SingleOrDefault(entry => entry.Key == "tokenizer.ggml.tokens");
if (tokens is null)
{
    Console.Error.WriteLine($"{options.VocabPath} has no tokenizer.ggml.tokens");
    return 1;
}
var vocabularySize = checked((int)GgufReader.ArrayLength(tokens));

Directory.CreateDirectory(options.OutputFolder);
foreach (var (spec, type) in options.Jobs)
{
    var path = Path.Combine(options.OutputFolder, $"{spec.Name}-{TypeName(type)}.gguf");
    var tensors = spec.Tensors(vocabularySize).Select(tensor => Materialise(spec, tensor, type)).ToList();
    var metadata = spec.ArchitectureMetadata(vocabularySize, type).Concat(vocabulary).ToList();
    GgufWriter.Write(path, metadata, tensors);
    var parameters = spec.Tensors(vocabularySize).Sum(tensor => tensor.ElementCount);
    Console.WriteLine($"{path}: {parameters:N0} parameters, {new FileInfo(path).Length:N0} bytes");
}
return 0;

static GgufTensor Materialise(LlamaModelSpec spec, TensorSpec tensor, GgmlType weightType)
{
    var values = new float[tensor.ElementCount];
    SeededWeights.Fill(values, spec.Seed, tensor.Name, tensor.Center, tensor.HalfWidth);
    var storage = tensor.StorageType(weightType);
    return new GgufTensor(tensor.Name, tensor.Shape, storage, Quantization.Encode(values, storage));
}

static string TypeName(GgmlType type) => type switch
{
    GgmlType.F32 => "f32",
    GgmlType.F16 => "f16",
    GgmlType.Q8_0 => "q8_0",
    GgmlType.Q4_0 => "q4_0",
    _ => throw new ArgumentOutOfRangeException(nameof(type)),
};

static GenerationOptions? ParseOptions(string[] args)
{
    string? vocab = null, output = null, models = null, types = null;
    for (var i = 0; i + 1 < args.Length; i += 2)
    {
        switch (args[i])
        {
            case "--vocab": vocab = args[i + 1]; break;
            case "--out": output = args[i + 1]; break;
            case "--models": models = args[i + 1]; break;
            case "--types": types = args[i + 1]; break;
            default: return null;
        }
    }
    if (args.Length % 2 != 0 || vocab is null || output is null)
        return null;

    var typeByName = new[] { GgmlType.F32, GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0 }.ToDictionary(TypeName);
    var specByName = LlamaModelSpec.All.ToDictionary(spec => spec.Name);
    var jobs = new List<(LlamaModelSpec, GgmlType)>();
    if (models is null && types is null)
    {
        jobs.Add((LlamaModelSpec.Tiny, GgmlType.F32));
        foreach (var spec in LlamaModelSpec.All)
            foreach (var type in new[] { GgmlType.F16, GgmlType.Q8_0, GgmlType.Q4_0 })
                jobs.Add((spec, type));
    }
    else
    {
        foreach (var modelName in (models ?? string.Join(",", LlamaModelSpec.All.Select(spec => spec.Name))).Split(','))
        {
            foreach (var typeName in (types ?? "f16,q8_0,q4_0").Split(','))
            {
                if (!specByName.TryGetValue(modelName, out var spec) || !typeByName.TryGetValue(typeName, out var type))
                    return null;
                jobs.Add((spec, type));
            }
        }
    }
    return new GenerationOptions(vocab, output, jobs);
}

internal sealed record GenerationOptions(string VocabPath, string OutputFolder, IReadOnlyList<(LlamaModelSpec Spec, GgmlType Type)> Jobs);
