// "Stream" in this assembly is always a CUDA stream; System.IO streams are never named here.
global using Stream = Emulator.Driver.Streams.Stream;
