namespace Emulator.Kernels.Ir;

/// <summary>
/// Basic blocks and post-dominators of a function's instruction array. A SIMT engine runs both sides of a divergent
/// branch and joins the lanes again where every path from the branch must pass: the branch block's immediate
/// post-dominator.
/// </summary>
public static class IrControlFlow
{
    /// <summary>
    /// Returns <paramref name="instructions"/> with <see cref="IrInstruction.Reconvergence"/> set for every guarded
    /// branch (including <c>.uni</c> ones, so an engine can check the uniformity promise) and -1 elsewhere.
    /// </summary>
    public static void AnnotateReconvergence(IrInstruction[] instructions)
    {
        var count = instructions.Length;
        if (count == 0)
            return;

        var isLeader = new bool[count + 1];
        isLeader[0] = true;
        for (var i = 0; i < count; i++)
        {
            var instruction = instructions[i];
            if (instruction.Opcode == IrOpcode.Bra && instruction.BranchTarget >= 0)
                isLeader[instruction.BranchTarget] = true;
            if (EndsBlock(instruction.Opcode))
                isLeader[i + 1] = true;
        }

        var blockOf = new int[count];
        var blockStarts = new List<int>();
        for (var i = 0; i < count; i++)
        {
            if (isLeader[i])
                blockStarts.Add(i);
            blockOf[i] = blockStarts.Count - 1;
        }

        var blockCount = blockStarts.Count;
        var exit = blockCount;
        var successors = new List<int>[blockCount + 1];
        var predecessors = new List<int>[blockCount + 1];
        for (var b = 0; b <= blockCount; b++)
        {
            successors[b] = new List<int>(2);
            predecessors[b] = new List<int>(2);
        }

        for (var b = 0; b < blockCount; b++)
        {
            var last = (b + 1 < blockCount ? blockStarts[b + 1] : count) - 1;
            var instruction = instructions[last];
            var fallThrough = last + 1 < count ? blockOf[last + 1] : exit;
            var guarded = instruction.Guard >= 0;
            switch (instruction.Opcode)
            {
                case IrOpcode.Bra:
                    AddEdge(b, instruction.BranchTarget >= 0 ? blockOf[instruction.BranchTarget] : exit);
                    if (guarded)
                        AddEdge(b, fallThrough);
                    break;
                case IrOpcode.Ret or IrOpcode.Exit or IrOpcode.Trap:
                    AddEdge(b, exit);
                    if (guarded)
                        AddEdge(b, fallThrough);
                    break;
                default:
                    AddEdge(b, fallThrough);
                    break;
            }
        }

        var immediatePostDominator = ComputeImmediatePostDominators(successors, predecessors, exit);

        for (var i = 0; i < count; i++)
        {
            var instruction = instructions[i];
            var reconvergence = -1;
            if (instruction.Opcode == IrOpcode.Bra && instruction.Guard >= 0)
            {
                var join = immediatePostDominator[blockOf[i]];
                reconvergence = join == exit || join < 0 ? count : blockStarts[join];
            }
            if (instruction.Reconvergence != reconvergence)
                instructions[i] = instruction with { Reconvergence = reconvergence };
        }

        void AddEdge(int from, int to)
        {
            if (successors[from].Contains(to))
                return;
            successors[from].Add(to);
            predecessors[to].Add(from);
        }
    }

    /// <summary>Iterative depth-first search from the exit along reversed edges (kernels have up to ~10^5 blocks).</summary>
    private static (int[] PostOrder, List<int> Order) ReversePostOrderFromExit(List<int>[] predecessors, int exit)
    {
        var nodeCount = predecessors.Length;
        var postOrder = new int[nodeCount];
        Array.Fill(postOrder, -1);
        var order = new List<int>(nodeCount);
        var visited = new bool[nodeCount];
        var stack = new Stack<(int Node, int NextEdge)>();
        stack.Push((exit, 0));
        visited[exit] = true;
        while (stack.Count > 0)
        {
            var (node, nextEdge) = stack.Pop();
            var edges = predecessors[node];
            if (nextEdge < edges.Count)
            {
                stack.Push((node, nextEdge + 1));
                var next = edges[nextEdge];
                if (!visited[next])
                {
                    visited[next] = true;
                    stack.Push((next, 0));
                }
            }
            else
            {
                postOrder[node] = order.Count;
                order.Add(node);
            }
        }
        return (postOrder, order);
    }

    private static bool EndsBlock(IrOpcode opcode) => opcode is IrOpcode.Bra or IrOpcode.Ret or IrOpcode.Exit or IrOpcode.Trap;

    /// <summary>
    /// Cooper–Harvey–Kennedy dominators on the reversed graph rooted at <paramref name="exit"/>.
    /// </summary>
    private static int[] ComputeImmediatePostDominators(List<int>[] successors, List<int>[] predecessors, int exit)
    {
        var nodeCount = successors.Length;
        var (postOrder, order) = ReversePostOrderFromExit(predecessors, exit);
        if (order.Count < nodeCount)
        {
            // Blocks that never reach the exit (endless loops) get a virtual edge to it, so they post-dominate nothing.
            for (var node = 0; node < nodeCount; node++)
            {
                if (postOrder[node] < 0)
                {
                    successors[node].Add(exit);
                    predecessors[exit].Add(node);
                }
            }
            (postOrder, order) = ReversePostOrderFromExit(predecessors, exit);
        }

        var idom = new int[nodeCount];
        Array.Fill(idom, -1);
        idom[exit] = exit;
        var changed = true;
        while (changed)
        {
            changed = false;
            for (var index = order.Count - 1; index >= 0; index--)
            {
                var node = order[index];
                if (node == exit)
                    continue;
                var candidate = -1;
                foreach (var successor in successors[node])
                {
                    if (idom[successor] < 0)
                        continue;
                    candidate = candidate < 0 ? successor : Intersect(successor, candidate);
                }
                if (candidate >= 0 && idom[node] != candidate)
                {
                    idom[node] = candidate;
                    changed = true;
                }
            }
        }

        return idom;

        int Intersect(int a, int b)
        {
            while (a != b)
            {
                while (postOrder[a] < postOrder[b])
                    a = idom[a];
                while (postOrder[b] < postOrder[a])
                    b = idom[b];
            }
            return a;
        }
    }
}
