using Emulator.Driver.Contexts;
using Emulator.Driver.Personas;

namespace Emulator.Driver;

public sealed partial class CudaDriver
{
    /// <summary>A device's primary context: one handle for the process's lifetime, activated by the first retain.</summary>
    private sealed class PrimaryContextSlot
    {
        public Context? Context;
        public int ReferenceCount;
        public uint Flags;
    }

    // ---- the calling thread's context stack --------------------------------------------------------------------

    /// <summary>The calling thread's stack. Only its own thread reads or changes it, so it is used without the lock.</summary>
    private List<Context> Stack => _contextStacks.Value!;

    /// <summary>
    /// The calling thread's current context, checked for use: <c>NOT_INITIALIZED</c> before cuInit,
    /// <c>INVALID_CONTEXT</c> when none is current or the current primary context was released,
    /// <c>CONTEXT_IS_DESTROYED</c> when another thread destroyed it.
    /// </summary>
    public CuResult GetCurrentContext(out Context context)
    {
        context = null!;
        if (!IsInitialized) return CuResult.NotInitialized;
        // Only the owning thread touches its stack, so reading it needs no lock; a context's state is one field.
        var stack = Stack;
        if (stack.Count == 0) return CuResult.InvalidContext;
        context = stack[^1];
        return Usable(context);
    }

    private static CuResult Usable(Context context) => context.State switch
    {
        ContextState.Active => CuResult.Success,
        ContextState.Destroyed => CuResult.ContextIsDestroyed,
        _ => CuResult.InvalidContext,
    };

    /// <summary>A context by handle; <c>INVALID_CONTEXT</c> for unknown or destroyed handles.</summary>
    public CuResult GetContext(nint handle, out Context context)
    {
        context = null!;
        if (!IsInitialized) return CuResult.NotInitialized;
        lock (_gate)
        {
            return _contexts.TryGet(handle, out context) ? CuResult.Success : CuResult.InvalidContext;
        }
    }

    /// <summary>The context a call names, or the current one when the handle is null.</summary>
    private CuResult ContextOrCurrent(nint handle, out Context context)
    {
        if (handle == 0) return GetCurrentContext(out context);
        var result = GetContext(handle, out context);
        return result == CuResult.Success ? Usable(context) : result;
    }

    public CuResult CreateContext(uint flags, int ordinal, out nint handle)
    {
        handle = 0;
        var result = GetDevice(ordinal, out var device);
        if (result != CuResult.Success) return result;
        if (!ContextFlags.AreValid(flags)) return CuResult.InvalidValue;
        lock (_gate)
        {
            var context = new Context(device, flags, isPrimary: false, _nextContextId++);
            context.Handle = handle = _contexts.Add(context);
            _createdContexts.Add(context);
            Stack.Add(context);
            return CuResult.Success;
        }
    }

    /// <summary>
    /// <c>cuCtxDestroy</c>: releases everything the context owns. If it is current on the calling thread it is popped;
    /// other threads keep it current and get <c>CONTEXT_IS_DESTROYED</c>. Primary contexts are released, not destroyed.
    /// </summary>
    public CuResult DestroyContext(nint handle)
    {
        var result = GetContext(handle, out var context);
        if (result != CuResult.Success) return result;
        lock (_gate)
        {
            if (context.IsPrimary) return CuResult.InvalidContext;
            ReleaseContextResources(context);
            context.State = ContextState.Destroyed;
            _contexts.Remove(handle);
            _createdContexts.Remove(context);
            if (Stack.Count > 0 && Stack[^1] == context) Stack.RemoveAt(Stack.Count - 1);
            return CuResult.Success;
        }
    }

    public CuResult PushContext(nint handle)
    {
        if (!IsInitialized) return CuResult.NotInitialized;
        if (handle == 0) return CuResult.InvalidContext;
        var result = GetContext(handle, out var context);
        if (result != CuResult.Success) return result;
        Stack.Add(context);
        return CuResult.Success;
    }

    public CuResult PopContext(out nint handle)
    {
        handle = 0;
        if (!IsInitialized) return CuResult.NotInitialized;
        var stack = Stack;
        if (stack.Count == 0) return CuResult.InvalidContext;
        handle = stack[^1].Handle;
        stack.RemoveAt(stack.Count - 1);
        return CuResult.Success;
    }

    /// <summary><c>cuCtxSetCurrent</c>: replaces the top of the stack (pushes onto an empty one); null unbinds the top.</summary>
    public CuResult SetCurrentContext(nint handle)
    {
        if (!IsInitialized) return CuResult.NotInitialized;
        Context? context = null;
        if (handle != 0)
        {
            var result = GetContext(handle, out var found);
            if (result != CuResult.Success) return result;
            context = found;
        }
        var stack = Stack;
        if (stack.Count > 0) stack.RemoveAt(stack.Count - 1);
        if (context is not null) stack.Add(context);
        return CuResult.Success;
    }

    /// <summary><c>cuCtxGetCurrent</c>: the top of the stack or null, even if that context was destroyed elsewhere.</summary>
    public CuResult GetCurrentContextHandle(out nint handle)
    {
        handle = 0;
        if (!IsInitialized) return CuResult.NotInitialized;
        var stack = Stack;
        if (stack.Count > 0) handle = stack[^1].Handle;
        return CuResult.Success;
    }

    /// <summary>Handles on the calling thread's context stack, bottom first (for tests and diagnostics).</summary>
    public IReadOnlyList<nint> ContextStackSnapshot()
    {
        return Stack.Select(c => c.Handle).ToArray();
    }

    public CuResult GetContextDevice(out int ordinal)
    {
        ordinal = 0;
        var result = GetCurrentContext(out var context);
        if (result == CuResult.Success) ordinal = context.Device.Ordinal;
        return result;
    }

    /// <summary><c>cuCtxSynchronize</c>: all work already ran (eager execution); reports the context's sticky fault.</summary>
    public CuResult SynchronizeContext()
    {
        var result = GetCurrentContext(out var context);
        return result != CuResult.Success ? result : context.StickyError;
    }

    public CuResult GetContextFlags(out uint flags)
    {
        flags = 0;
        var result = GetCurrentContext(out var context);
        if (result == CuResult.Success) flags = context.Flags;
        return result;
    }

    public CuResult SetContextFlags(uint flags)
    {
        var result = GetCurrentContext(out var context);
        if (result != CuResult.Success) return result;
        if (!ContextFlags.AreValid(flags)) return CuResult.InvalidValue;
        lock (_gate)
        {
            context.Flags = flags;
            if (context.IsPrimary) _primaryContexts[context.Device.Ordinal].Flags = flags;
        }
        return CuResult.Success;
    }

    public CuResult GetContextApiVersion(nint handle, out uint version)
    {
        version = 0;
        var result = ContextOrCurrent(handle, out _);
        if (result == CuResult.Success) version = ContextApiVersion;
        return result;
    }

    public CuResult GetContextId(nint handle, out ulong id)
    {
        id = 0;
        var result = ContextOrCurrent(handle, out var context);
        if (result == CuResult.Success) id = context.Id;
        return result;
    }

    public CuResult GetStreamPriorityRange(out int leastPriority, out int greatestPriority)
    {
        leastPriority = greatestPriority = 0;
        var result = GetCurrentContext(out var context);
        if (result == CuResult.Success) greatestPriority = context.Device.Persona.GreatestStreamPriority;
        return result;
    }

    public CuResult GetCacheConfig(out int config)
    {
        config = 0;
        var result = GetCurrentContext(out var context);
        if (result == CuResult.Success) config = context.CacheConfig;
        return result;
    }

    /// <summary><c>CUfunc_cache</c>: PREFER_NONE 0, SHARED 1, L1 2, EQUAL 3.</summary>
    public CuResult SetCacheConfig(int config)
    {
        var result = GetCurrentContext(out var context);
        if (result != CuResult.Success) return result;
        if (config is < 0 or > 3) return CuResult.InvalidValue;
        lock (_gate) context.CacheConfig = config;
        return CuResult.Success;
    }

    public CuResult GetLimit(int limit, out ulong value)
    {
        value = 0;
        var result = GetCurrentContext(out var context);
        if (result != CuResult.Success) return result;
        if (limit is < 0 or > (int)ContextLimit.CigShmemFallbackEnabled) return CuResult.InvalidValue;
        lock (_gate)
        {
            if (!context.HasLimit((ContextLimit)limit)) return CuResult.UnsupportedLimit;
            value = context.GetLimit((ContextLimit)limit);
        }
        return CuResult.Success;
    }

    public CuResult SetLimit(int limit, ulong value)
    {
        var result = GetCurrentContext(out var context);
        if (result != CuResult.Success) return result;
        if (limit is < 0 or > (int)ContextLimit.CigShmemFallbackEnabled) return CuResult.InvalidValue;
        var which = (ContextLimit)limit;
        lock (_gate)
        {
            if (!context.HasLimit(which)) return CuResult.UnsupportedLimit;
            var persona = context.Device.Persona;
            var valid = which switch
            {
                ContextLimit.MaxL2FetchGranularity => value <= 128,
                ContextLimit.PersistingL2CacheSize => value <= (ulong)persona[DeviceAttribute.MaxPersistingL2CacheSize],
                ContextLimit.StackSize => value <= int.MaxValue,
                _ => true,
            };
            if (!valid) return CuResult.InvalidValue;
            context.SetLimit(which, value);
        }
        return CuResult.Success;
    }

    // ---- primary contexts ---------------------------------------------------------------------------------------

    public CuResult RetainPrimaryContext(int ordinal, out nint handle)
    {
        handle = 0;
        var result = GetDevice(ordinal, out var device);
        if (result != CuResult.Success) return result;
        lock (_gate)
        {
            var slot = _primaryContexts[ordinal];
            if (slot.Context is null)
            {
                slot.Context = new Context(device, slot.Flags, isPrimary: true, _nextContextId++);
                slot.Context.Handle = _contexts.Add(slot.Context);
            }
            else if (slot.Context.State == ContextState.Inactive)
            {
                slot.Context.Flags = slot.Flags;
                slot.Context.State = ContextState.Active;
            }
            slot.ReferenceCount++;
            handle = slot.Context.Handle;
            return CuResult.Success;
        }
    }

    public CuResult ReleasePrimaryContext(int ordinal)
    {
        var result = GetDevice(ordinal, out _);
        if (result != CuResult.Success) return result;
        lock (_gate)
        {
            var slot = _primaryContexts[ordinal];
            if (slot.ReferenceCount == 0 || slot.Context is null) return CuResult.InvalidContext;
            if (--slot.ReferenceCount == 0) Deactivate(slot.Context);
            return CuResult.Success;
        }
    }

    /// <summary><c>cuDevicePrimaryCtxReset</c>: frees everything and deactivates the primary context whatever its count.</summary>
    public CuResult ResetPrimaryContext(int ordinal)
    {
        var result = GetDevice(ordinal, out _);
        if (result != CuResult.Success) return result;
        lock (_gate)
        {
            var slot = _primaryContexts[ordinal];
            slot.ReferenceCount = 0;
            if (slot.Context is { State: ContextState.Active }) Deactivate(slot.Context);
            return CuResult.Success;
        }
    }

    /// <summary>v2 semantics: flags may change while the context is active and apply at once.</summary>
    public CuResult SetPrimaryContextFlags(int ordinal, uint flags)
    {
        var result = GetDevice(ordinal, out _);
        if (result != CuResult.Success) return result;
        if (!ContextFlags.AreValid(flags)) return CuResult.InvalidValue;
        lock (_gate)
        {
            var slot = _primaryContexts[ordinal];
            slot.Flags = flags;
            if (slot.Context is { State: ContextState.Active }) slot.Context.Flags = flags;
            return CuResult.Success;
        }
    }

    public CuResult GetPrimaryContextState(int ordinal, out uint flags, out bool active)
    {
        flags = 0;
        active = false;
        var result = GetDevice(ordinal, out _);
        if (result != CuResult.Success) return result;
        lock (_gate)
        {
            var slot = _primaryContexts[ordinal];
            flags = slot.Flags;
            active = slot.Context is { State: ContextState.Active };
            return CuResult.Success;
        }
    }

    /// <summary>The primary context's reference count (for tests and diagnostics).</summary>
    public int PrimaryContextReferenceCount(int ordinal)
    {
        lock (_gate) return ordinal >= 0 && ordinal < _primaryContexts.Length ? _primaryContexts[ordinal].ReferenceCount : 0;
    }

    private void Deactivate(Context context)
    {
        ReleaseContextResources(context);
        context.State = ContextState.Inactive;
    }

    private void ReleaseContextResources(Context context)
    {
        foreach (var stream in context.Streams) _streams.Remove(stream.Handle);
        foreach (var @event in context.Events) _events.Remove(@event.Handle);
        FreeContextMemory(context);
        context.ReleaseResources();
        PublishUsage();
    }

    /// <summary>
    /// Lets other parts of the model (memory, modules) free what they attached to a context when it is destroyed,
    /// released or reset.
    /// </summary>
    public void OnContextRelease(Context context, Action release)
    {
        lock (_gate) context.ReleaseActions.Add(release);
    }
}
