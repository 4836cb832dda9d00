using System.Globalization;
using System.Text.RegularExpressions;

namespace Emulator.ApiGen;

/// <summary>Parses the <c>*.api</c> files (syntax: src/Exports/api/README.md) into an <see cref="ApiModel"/>.</summary>
public sealed partial class ApiParser
{
    private readonly ApiModel _model = new();

    public static ApiModel ParseFiles(IEnumerable<string> paths)
    {
        var parser = new ApiParser();
        foreach (var path in paths) parser.ParseFile(path);
        parser.AssignEntries();
        return parser._model;
    }

    private void ParseFile(string path)
    {
        Family? family = null;
        List<Library> fileLibraries = [];
        List<Library>? current = null;
        foreach (var (text, line) in LogicalLines(path))
        {
            string where = $"{Path.GetFileName(path)}:{line}";
            var words = text.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            switch (words[0])
            {
                case "family":
                    family = ParseFamily(words, where);
                    _model.Families.Add(family);
                    break;
                case "library":
                    var library = ParseLibrary(words, family ?? throw Error(where, "library before family"));
                    fileLibraries.Add(library);
                    _model.Libraries.Add(library);
                    break;
                case "use":
                    current = words.Skip(1).Select(tag => ByTag(fileLibraries, tag, where)).ToList();
                    break;
                case "define":
                    _model.Defines.Add((words[1], string.Join(' ', words.Skip(2))));
                    break;
                case "status" or "enum" or "handle" or "stream" or "scalar" or "struct" or "value" or "callback":
                    AddType(ParseType(text, words, where), where);
                    break;
                default:
                    if (family is null) throw Error(where, "entry before family");
                    current ??= fileLibraries.Take(1).ToList();
                    _model.Declarations.Add(ParseDeclaration(text, family, fileLibraries, current, where));
                    break;
            }
        }
    }

    /// <summary>
    /// Joins physical lines while a parenthesis or brace is open, and indented lines onto the line before them
    /// (attributes may continue a declaration); strips comments.
    /// </summary>
    private static IEnumerable<(string Text, int Line)> LogicalLines(string path)
    {
        string pending = "", complete = "";
        int startLine = 0, completeLine = 0, depth = 0, lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            int hash = raw.IndexOf('#');
            var line = (hash >= 0 ? raw[..hash] : raw).Trim();
            if (line.Length == 0) continue;
            bool continuation = depth == 0 && complete.Length > 0 && char.IsWhiteSpace(raw[0]);
            if (continuation)
            {
                complete += " " + line;
                continue;
            }
            if (depth == 0 && complete.Length > 0)
            {
                yield return (complete, completeLine);
                complete = "";
            }
            if (pending.Length == 0) startLine = lineNumber;
            pending = pending.Length == 0 ? line : pending + " " + line;
            depth += line.Count(c => c is '(' or '{') - line.Count(c => c is ')' or '}');
            if (depth == 0)
            {
                (complete, completeLine, pending) = (pending, startLine, "");
            }
        }
        if (depth != 0) throw new FormatException($"{Path.GetFileName(path)}:{startLine}: unbalanced brackets");
        if (complete.Length > 0) yield return (complete, completeLine);
    }

    private static Family ParseFamily(string[] words, string where)
    {
        var attributes = Attributes(words.Skip(2), where);
        return new Family(words[1], attributes["class"], attributes["status"], Number(attributes["not-supported"]),
            Number(attributes["not-initialised"]), Number(attributes["unknown"]),
            attributes.TryGetValue("per-thread-stream", out var pts) ? Number(pts) : null);
    }

    private static Library ParseLibrary(string[] words, Family family)
    {
        var attributes = Attributes(words.Skip(2), "library");
        return new Library(words[1], attributes.GetValueOrDefault("tag", words[1]), attributes.GetValueOrDefault("node"),
            attributes.TryGetValue("links", out var links) ? links.Split(',') : [], family);
    }

    private TypeDecl ParseType(string text, string[] words, string where)
    {
        string kindWord = words[0];
        int brace = text.IndexOf('{');
        string? body = brace >= 0 ? text[brace..].Trim() : null;
        string head = (brace >= 0 ? text[..brace] : text).Trim();
        var headWords = head.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string name = headWords[1];
        switch (kindWord)
        {
            case "status":
                return new TypeDecl(name, TypeKind.Status, headWords[3], null, false, body);
            case "enum":
                return new TypeDecl(name, TypeKind.Enum, null, null, false, body);
            case "handle":
                return new TypeDecl(name, TypeKind.Handle, null, null, true, null);
            case "stream":
                return new TypeDecl(name, TypeKind.Stream, null, null, true, null);
            case "struct":
                return new TypeDecl(name, TypeKind.Struct, null, null, false, body);
            case "value":
                return new TypeDecl(name, TypeKind.Value, headWords[3], null, false,
                    body ?? throw Error(where, "a value type needs its fields"));
            case "callback":
            {
                // callback Name = ret (params)
                var signature = text[(text.IndexOf('=') + 1)..].Trim();
                int paren = signature.IndexOf('(');
                return new TypeDecl(name, TypeKind.Callback, null, null, false,
                    $"{signature[..paren].Trim()} (*{name}){signature[paren..]}");
            }
            case "scalar":
            {
                var rest = headWords.Skip(3).ToList();
                bool hex = rest.Remove("hex");
                var baseType = NormaliseBuiltin(string.Join(' ', rest));
                if (!Builtins.ContainsKey(baseType)) throw Error(where, $"scalar {name}: unknown base '{baseType}'");
                return new TypeDecl(name, TypeKind.Scalar, null, baseType, hex, null);
            }
            default:
                throw Error(where, $"unknown declaration '{kindWord}'");
        }
    }

    private void AddType(TypeDecl type, string where)
    {
        if (_model.FindType(type.Name) is not null) throw Error(where, $"type {type.Name} declared twice");
        _model.Types.Add(type);
    }

    private Declaration ParseDeclaration(string text, Family family, List<Library> fileLibraries,
        List<Library> current, string where)
    {
        int open = text.IndexOf('('), close = text.LastIndexOf(')');
        if (open < 0 || close < open) throw Error(where, "expected a C declaration");
        var head = text[..open].Trim();
        int nameStart = head.LastIndexOfAny([' ', '*']) + 1;
        string name = head[nameStart..];
        string returnText = head[..nameStart].Trim();
        var returnType = ParseCType(returnText, where);
        var parameters = ParseParameters(text[(open + 1)..close], where);
        var attributes = Attributes(text[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries), where);

        var libraries = attributes.TryGetValue("in", out var tags)
            ? tags.Split(',').Select(tag => ByTag(fileLibraries, tag, where)).ToList()
            : current;
        string procBase = name;
        int procSince = 0;
        if (attributes.TryGetValue("proc", out var proc))
        {
            var parts = proc.Split('@');
            procBase = parts[0];
            procSince = int.Parse(parts[1], CultureInfo.InvariantCulture);
        }
        string? macro = attributes.TryGetValue("api", out var api) ? (api.Length > 0 ? api : procBase) : null;
        var perThread = new List<string>();
        if (attributes.ContainsKey("ptsz")) perThread.Add("_ptsz");
        if (attributes.ContainsKey("ptds")) perThread.Add("_ptds");
        return new Declaration(name, returnType, returnText, parameters, family, libraries,
            attributes.GetValueOrDefault("impl", name), procBase, procSince, macro, perThread, where);
    }

    private List<Param> ParseParameters(string text, string where)
    {
        var list = new List<Param>();
        var trimmed = text.Trim();
        if (trimmed is "" or "void") return list;
        foreach (var piece in trimmed.Split(','))
        {
            var words = Tokens(piece);
            bool markedOut = words[0] == "out";
            if (markedOut) words.RemoveAt(0);
            string paramName = words[^1];
            words.RemoveAt(words.Count - 1);
            var typeText = string.Join(' ', words).Replace(" *", "*");
            list.Add(new Param(paramName, ParseCType(string.Join(' ', words), where), markedOut, typeText));
        }
        return list;
    }

    private static List<string> Tokens(string text) =>
        StarSplit().Replace(text, " * ").Split(' ', StringSplitOptions.RemoveEmptyEntries).ToList();

    private static CType ParseCType(string text, string where)
    {
        var words = Tokens(text);
        bool pointeeConst = words.Count > 0 && words[0] == "const";
        int depth = words.Count(w => w == "*");
        var baseWords = words.Where(w => w is not ("*" or "const" or "struct")).ToList();
        if (baseWords.Count == 0) throw Error(where, $"no type in '{text}'");
        return new CType(NormaliseBuiltin(string.Join(' ', baseWords)), depth, pointeeConst);
    }

    private void CheckType(CType type, string where)
    {
        if (Builtins.ContainsKey(type.Base)) return;
        var declared = _model.FindType(type.Base) ?? throw Error(where, $"undeclared type '{type.Base}'");
        if (declared.Kind == TypeKind.Struct && type.Depth == 0) throw Error(where, $"struct {type.Base} passed by value");
    }

    /// <summary>Numbers every exported name, per-thread variants included, in table order.</summary>
    private void AssignEntries()
    {
        foreach (var decl in _model.Declarations)
        {
            // Checked once every file is read: a family may use another family's types (cudaStream_t in cuBLAS).
            foreach (var p in decl.Params) CheckType(p.Type, decl.Source);
            CheckType(decl.Return, decl.Source);
            _model.Entries.Add(new Entry(_model.Entries.Count, decl.Name, decl, false));
            foreach (var suffix in decl.PerThreadSuffixes)
                _model.Entries.Add(new Entry(_model.Entries.Count, decl.Name + suffix, decl, true));
        }
        var clashes = _model.Libraries
            .SelectMany(lib => _model.Entries.Where(e => e.Decl.Libraries.Contains(lib)).Select(e => (lib.Soname, e.ExportName)))
            .GroupBy(x => x).Where(g => g.Count() > 1).Select(g => $"{g.Key.Soname}: {g.Key.ExportName}").ToList();
        if (clashes.Count > 0) throw new FormatException("exported twice: " + string.Join(", ", clashes));
    }

    /// <summary>C builtin types and their C# mapping (docs/ARCHITECTURE.md).</summary>
    public static readonly IReadOnlyDictionary<string, string> Builtins = new Dictionary<string, string>
    {
        ["void"] = "void", ["char"] = "byte", ["signed char"] = "sbyte", ["unsigned char"] = "byte",
        ["short"] = "short", ["unsigned short"] = "ushort", ["int"] = "int", ["unsigned int"] = "uint",
        ["long"] = "long", ["unsigned long"] = "ulong", ["long long"] = "long", ["unsigned long long"] = "ulong",
        ["size_t"] = "nuint", ["float"] = "float", ["double"] = "double",
    };

    private static string NormaliseBuiltin(string text) => text switch
    {
        "unsigned" => "unsigned int",
        "signed" or "signed int" => "int",
        "long int" => "long",
        "long long int" or "signed long long" => "long long",
        "unsigned long long int" => "unsigned long long",
        "short int" => "short",
        _ => text,
    };

    private static Dictionary<string, string> Attributes(IEnumerable<string> words, string where)
    {
        var result = new Dictionary<string, string>();
        foreach (var word in words)
        {
            int eq = word.IndexOf('=');
            var (key, value) = eq < 0 ? (word, "") : (word[..eq], word[(eq + 1)..]);
            if (!result.TryAdd(key, value)) throw Error(where, $"attribute {key} given twice");
        }
        return result;
    }

    private static Library ByTag(List<Library> libraries, string tag, string where) =>
        libraries.Find(l => l.Tag == tag) ?? throw Error(where, $"no library tagged '{tag}' in this file");

    private static long Number(string text) => text.StartsWith("0x", StringComparison.Ordinal)
        ? long.Parse(text[2..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)
        : long.Parse(text, CultureInfo.InvariantCulture);

    private static FormatException Error(string where, string message) => new($"{where}: {message}");

    [GeneratedRegex(@"\*")]
    private static partial Regex StarSplit();
}
