using System.Text;
using Emulator.ApiGen;

// ApiGen <api-folder> <output-folder>
// Writes <out>/native/ (cuemu_api.h, cuemu_entries.h, shim_*.c, shim_*.map, Makefile) and <out>/managed/ApiEntries.g.cs.
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: ApiGen <api-folder> <output-folder>");
    return 2;
}
try
{
    var files = Directory.GetFiles(args[0], "*.api").Order(StringComparer.Ordinal).ToList();
    var model = ApiParser.ParseFiles(files);
    var native = new NativeEmitter(model);
    string nativeDir = Path.Combine(args[1], "native"), managedDir = Path.Combine(args[1], "managed");
    WriteIfChanged(Path.Combine(nativeDir, "cuemu_api.h"), native.Header());
    WriteIfChanged(Path.Combine(nativeDir, "cuemu_entries.h"), native.EntryCountHeader());
    WriteIfChanged(Path.Combine(nativeDir, "Makefile"), native.Makefile());
    foreach (var library in model.Libraries)
    {
        WriteIfChanged(Path.Combine(nativeDir, NativeEmitter.ShimSource(library)), native.Shim(library));
        WriteIfChanged(Path.Combine(nativeDir, NativeEmitter.ShimMap(library)), native.VersionScript(library));
    }
    WriteIfChanged(Path.Combine(managedDir, "ApiEntries.g.cs"), new ManagedEmitter(model).Source());
    Console.WriteLine($"ApiGen: {model.Entries.Count} entries, {model.Libraries.Count} libraries");
    return 0;
}
catch (FormatException error)
{
    Console.Error.WriteLine($"ApiGen: error: {error.Message}");
    return 1;
}

// Unchanged outputs keep their timestamps, so make and MSBuild rebuild nothing when the table did not change.
static void WriteIfChanged(string path, string text)
{
    Directory.CreateDirectory(Path.GetDirectoryName(path)!);
    if (File.Exists(path) && File.ReadAllText(path) == text) return;
    File.WriteAllText(path, text, new UTF8Encoding(false));
}
