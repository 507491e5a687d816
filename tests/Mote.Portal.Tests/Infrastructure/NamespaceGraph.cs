using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Emit;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace Mote.Portal.Tests.Infrastructure;

/// <summary>
/// Which namespaces of one compiled assembly use which others of the same assembly, read from its metadata and IL:
/// base types, interfaces, field, method and property signatures, and every type, method and field a method body names.
/// A nested type (compiler-generated closures and state machines included) counts as its outermost type's namespace.
/// References to other assemblies are left out: the project graph is checked separately.
/// </summary>
public sealed class NamespaceGraph
{
    private static readonly IReadOnlyDictionary<short, OperandType> Operands = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value, o => o.OperandType);

    private readonly MetadataReader _reader;
    private readonly PEReader _pe;
    private readonly Dictionary<string, HashSet<string>> _edges = new(StringComparer.Ordinal);
    private readonly Dictionary<(string From, string To), string> _examples = [];

    private NamespaceGraph(PEReader pe)
    {
        _pe = pe;
        _reader = pe.GetMetadataReader();
    }

    /// <summary>Namespace → the namespaces of this assembly it uses (itself excluded).</summary>
    public IReadOnlyDictionary<string, HashSet<string>> Edges => _edges;

    /// <summary>Reads the graph of <paramref name="assembly"/> from its file.</summary>
    public static NamespaceGraph Of(Assembly assembly)
    {
        using var stream = File.OpenRead(assembly.Location);
        using var pe = new PEReader(stream);
        var graph = new NamespaceGraph(pe);
        graph.Read();
        return graph;
    }

    /// <summary>One type that makes the edge <paramref name="from"/> → <paramref name="to"/>, to name in a failure message.</summary>
    public string Example(string from, string to) => _examples.TryGetValue((from, to), out var e) ? e : "?";

    /// <summary>Every strongly connected set of two or more namespaces (a circle of dependencies), each sorted.</summary>
    /// <param name="leaveOut">Namespaces taken out of the graph first, with their edges (composition roots).</param>
    public IReadOnlyList<IReadOnlyList<string>> Cycles(IReadOnlyCollection<string>? leaveOut = null)
    {
        leaveOut ??= [];
        // Tarjan's algorithm over the namespace graph.
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var result = new List<IReadOnlyList<string>>();
        var next = 0;

        void Visit(string v)
        {
            index[v] = low[v] = next++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in (_edges.TryGetValue(v, out var targets) ? targets : []).Where(t => !leaveOut.Contains(t)))
            {
                if (!index.ContainsKey(w))
                {
                    Visit(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], index[w]);
                }
            }
            if (low[v] == index[v])
            {
                var component = new List<string>();
                string w;
                do
                {
                    w = stack.Pop();
                    onStack.Remove(w);
                    component.Add(w);
                }
                while (w != v);
                if (component.Count > 1)
                {
                    component.Sort(StringComparer.Ordinal);
                    result.Add(component);
                }
            }
        }

        foreach (var v in _edges.Keys.Where(k => !leaveOut.Contains(k)).Order(StringComparer.Ordinal).ToList())
        {
            if (!index.ContainsKey(v))
            {
                Visit(v);
            }
        }
        return result;
    }

    private void Read()
    {
        var signatures = new NamespaceCollector(this);
        foreach (var handle in _reader.TypeDefinitions)
        {
            var type = _reader.GetTypeDefinition(handle);
            var from = NamespaceOf(handle);
            var name = _reader.GetString(type.Name);
            if (from.Length == 0 || name == "<Module>")
            {
                continue;
            }
            void Use(IEnumerable<string> namespaces)
            {
                foreach (var to in namespaces)
                {
                    Add(from, to, FullName(handle));
                }
            }

            Use(Types(type.BaseType, signatures));
            foreach (var i in type.GetInterfaceImplementations())
            {
                Use(Types(_reader.GetInterfaceImplementation(i).Interface, signatures));
            }
            foreach (var f in type.GetFields())
            {
                Use(_reader.GetFieldDefinition(f).DecodeSignature(signatures, null));
            }
            foreach (var p in type.GetProperties())
            {
                var signature = _reader.GetPropertyDefinition(p).DecodeSignature(signatures, null);
                Use(signature.ReturnType.Concat(signature.ParameterTypes.SelectMany(t => t)));
            }
            foreach (var m in type.GetMethods())
            {
                var method = _reader.GetMethodDefinition(m);
                var signature = method.DecodeSignature(signatures, null);
                Use(signature.ReturnType.Concat(signature.ParameterTypes.SelectMany(t => t)));
                if (method.RelativeVirtualAddress != 0)
                {
                    try
                    {
                        Use(BodyReferences(_pe.GetMethodBody(method.RelativeVirtualAddress), signatures).ToList());
                    }
                    catch (Exception e) when (e is ArgumentException or BadImageFormatException)
                    {
                        throw new InvalidOperationException($"{FullName(handle)}.{_reader.GetString(method.Name)}: {e.Message}", e);
                    }
                }
            }
        }
    }

    private void Add(string from, string to, string example)
    {
        if (to.Length == 0 || string.Equals(from, to, StringComparison.Ordinal))
        {
            return;
        }
        if (!_edges.TryGetValue(from, out var targets))
        {
            _edges[from] = targets = new HashSet<string>(StringComparer.Ordinal);
        }
        if (targets.Add(to))
        {
            _examples[(from, to)] = example;
        }
    }

    private IEnumerable<string> BodyReferences(MethodBodyBlock body, NamespaceCollector signatures)
    {
        if (!body.LocalSignature.IsNil)
        {
            foreach (var local in _reader.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(signatures, null))
            {
                foreach (var ns in local)
                {
                    yield return ns;
                }
            }
        }
        var il = body.GetILReader();
        while (il.RemainingBytes > 0)
        {
            short code = il.ReadByte();
            if (code == 0xFE)
            {
                code = unchecked((short)(0xFE00 | il.ReadByte()));
            }
            switch (Operands[code])
            {
                case OperandType.InlineField:
                case OperandType.InlineMethod:
                case OperandType.InlineType:
                case OperandType.InlineTok:
                    foreach (var ns in Types(MetadataTokens.EntityHandle(il.ReadInt32()), signatures))
                    {
                        yield return ns;
                    }
                    break;
                case OperandType.InlineSwitch:
                    var targets = il.ReadInt32();
                    il.Offset += 4 * targets;
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget:
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar:
                    il.Offset += 1;
                    break;
                case OperandType.InlineVar:
                    il.Offset += 2;
                    break;
                case OperandType.InlineI8:
                case OperandType.InlineR:
                    il.Offset += 8;
                    break;
                default:
                    il.Offset += 4; // InlineBrTarget, InlineI, InlineSig, InlineString, ShortInlineR
                    break;
            }
        }
    }

    /// <summary>The namespaces of this assembly that a type, method, field or member reference handle names.</summary>
    private IEnumerable<string> Types(EntityHandle handle, NamespaceCollector signatures)
    {
        if (handle.IsNil)
        {
            return [];
        }
        return handle.Kind switch
        {
            HandleKind.TypeDefinition => [NamespaceOf((TypeDefinitionHandle)handle)],
            HandleKind.TypeSpecification => _reader.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(signatures, null),
            HandleKind.MethodDefinition => [NamespaceOf(_reader.GetMethodDefinition((MethodDefinitionHandle)handle).GetDeclaringType())],
            HandleKind.FieldDefinition => [NamespaceOf(_reader.GetFieldDefinition((FieldDefinitionHandle)handle).GetDeclaringType())],
            HandleKind.MethodSpecification => MethodSpecification((MethodSpecificationHandle)handle, signatures),
            HandleKind.MemberReference => Types(_reader.GetMemberReference((MemberReferenceHandle)handle).Parent, signatures),
            _ => [], // type references: other assemblies
        };
    }

    private IEnumerable<string> MethodSpecification(MethodSpecificationHandle handle, NamespaceCollector signatures)
    {
        var spec = _reader.GetMethodSpecification(handle);
        return Types(spec.Method, signatures).Concat(spec.DecodeSignature(signatures, null).SelectMany(t => t));
    }

    private string NamespaceOf(TypeDefinitionHandle handle)
    {
        var type = _reader.GetTypeDefinition(handle);
        while (type.IsNested)
        {
            type = _reader.GetTypeDefinition(type.GetDeclaringType());
        }
        return _reader.GetString(type.Namespace);
    }

    private string FullName(TypeDefinitionHandle handle)
    {
        var type = _reader.GetTypeDefinition(handle);
        while (type.IsNested)
        {
            type = _reader.GetTypeDefinition(type.GetDeclaringType());
        }
        return $"{_reader.GetString(type.Namespace)}.{_reader.GetString(type.Name)}";
    }

    /// <summary>Decodes signatures into the namespaces of this assembly's types they name.</summary>
    private sealed class NamespaceCollector(NamespaceGraph graph) : ISignatureTypeProvider<ImmutableArray<string>, object?>
    {
        public ImmutableArray<string> GetArrayType(ImmutableArray<string> elementType, ArrayShape shape) => elementType;
        public ImmutableArray<string> GetByReferenceType(ImmutableArray<string> elementType) => elementType;
        public ImmutableArray<string> GetFunctionPointerType(MethodSignature<ImmutableArray<string>> signature) =>
            [.. signature.ReturnType, .. signature.ParameterTypes.SelectMany(t => t)];
        public ImmutableArray<string> GetGenericInstantiation(ImmutableArray<string> genericType, ImmutableArray<ImmutableArray<string>> typeArguments) =>
            [.. genericType, .. typeArguments.SelectMany(t => t)];
        public ImmutableArray<string> GetGenericMethodParameter(object? genericContext, int index) => [];
        public ImmutableArray<string> GetGenericTypeParameter(object? genericContext, int index) => [];
        public ImmutableArray<string> GetModifiedType(ImmutableArray<string> modifier, ImmutableArray<string> unmodifiedType, bool isRequired) => unmodifiedType;
        public ImmutableArray<string> GetPinnedType(ImmutableArray<string> elementType) => elementType;
        public ImmutableArray<string> GetPointerType(ImmutableArray<string> elementType) => elementType;
        public ImmutableArray<string> GetPrimitiveType(PrimitiveTypeCode typeCode) => [];
        public ImmutableArray<string> GetSZArrayType(ImmutableArray<string> elementType) => elementType;
        public ImmutableArray<string> GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => [graph.NamespaceOf(handle)];
        public ImmutableArray<string> GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => [];
        public ImmutableArray<string> GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
    }
}
