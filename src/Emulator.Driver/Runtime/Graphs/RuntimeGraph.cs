namespace Emulator.Driver.Runtime.Graphs;

/// <summary>cudaGraphNodeType values for the nodes stream capture produces.</summary>
public enum GraphNodeKind
{
    Kernel = 0,
    Memcpy = 1,
    Memset = 2,
    Host = 3,
    Graph = 4,
    Empty = 5,
    WaitEvent = 6,
    EventRecord = 7,
}

/// <summary>
/// One captured operation. <see cref="Execute"/> performs it again on the stream the graph is launched
/// into; everything it needs (kernel arguments, copy extents) was copied when it was captured.
/// </summary>
public sealed record GraphNode(GraphNodeKind Kind, string Description, Func<nint, CudaError> Execute);

/// <summary>cudaGraph_t: nodes in capture order, which is a valid topological order of their dependencies.</summary>
public sealed class RuntimeGraph
{
    private readonly List<GraphNode> _nodes = [];

    public RuntimeGraph(int device) => Device = device;

    public int Device { get; }
    public IReadOnlyList<GraphNode> Nodes => _nodes;

    internal void Append(GraphNode node) => _nodes.Add(node);
}

/// <summary>cudaGraphExecUpdateResult.</summary>
public enum GraphExecUpdateResult
{
    Success = 0,
    Error = 1,
    TopologyChanged = 2,
    NodeTypeChanged = 3,
    FunctionChanged = 4,
    ParametersChanged = 5,
    NotSupported = 6,
    UnsupportedFunctionChange = 7,
    AttributesChanged = 8,
}

/// <summary>cudaGraphExec_t: an instantiated snapshot of a graph's nodes, replayed in order by cudaGraphLaunch.</summary>
public sealed class GraphExec
{
    private GraphNode[] _nodes;

    public GraphExec(RuntimeGraph graph)
    {
        Device = graph.Device;
        _nodes = graph.Nodes.ToArray();
    }

    public int Device { get; }
    public IReadOnlyList<GraphNode> Nodes => _nodes;

    /// <summary>
    /// cudaGraphExecUpdate: parameters may change, topology may not. Node count must match and each node
    /// must keep its type; otherwise nothing is updated. (Since CUDA 11.2 a kernel node may change its
    /// function, so FunctionChanged is never reported.)
    /// </summary>
    public GraphExecUpdateResult UpdateFrom(RuntimeGraph graph, out int failingNode)
    {
        failingNode = -1;
        if (graph.Nodes.Count != _nodes.Length || graph.Device != Device)
            return GraphExecUpdateResult.TopologyChanged;
        for (var i = 0; i < _nodes.Length; i++)
        {
            if (graph.Nodes[i].Kind != _nodes[i].Kind)
            {
                failingNode = i;
                return GraphExecUpdateResult.NodeTypeChanged;
            }
        }
        _nodes = graph.Nodes.ToArray();
        return GraphExecUpdateResult.Success;
    }

    /// <summary>Replays every node in order; the first failure stops the launch and is returned.</summary>
    public CudaError Launch(nint stream)
    {
        foreach (var node in _nodes)
        {
            var result = node.Execute(stream);
            if (result != CudaError.Success)
                return result;
        }
        return CudaError.Success;
    }
}
