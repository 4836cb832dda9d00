// Runs one greedy completion through node-llama-cpp's prebuilt bindings and prints a JSON report.
// usage: node complete.mjs <cuda|cpu> <model.gguf> <maxTokens> <prompt>
// NLC_PROJECT names the folder whose node_modules holds node-llama-cpp (written by setup.sh).
import path from "node:path";
import {pathToFileURL} from "node:url";

const [mode, modelPath, maxTokens, prompt] = process.argv.slice(2);
if (!["cuda", "cpu"].includes(mode) || !modelPath || !maxTokens || prompt === undefined) {
    console.error("usage: node complete.mjs <cuda|cpu> <model.gguf> <maxTokens> <prompt>");
    process.exit(2);
}
const entry = path.join(process.env.NLC_PROJECT ?? "", "node_modules", "node-llama-cpp", "dist", "index.js");
const {getLlama, LlamaCompletion} = await import(pathToFileURL(entry).href);

// build "never": only the prebuilt binaries may load; maxThreads 2: the default oversubscribes a 2-core
// machine and slows CPU work ~100×.
const llama = await getLlama({gpu: mode === "cuda" ? "cuda" : false, build: "never", maxThreads: 2, logLevel: "warn"});
const report = {gpu: llama.gpu, devices: await llama.getGpuDeviceNames()};
if (mode === "cuda") {
    const vram = await llama.getVramState();
    report.vramTotal = vram.total;
}
const model = await llama.loadModel({modelPath, gpuLayers: mode === "cuda" ? "max" : 0});
report.gpuLayers = model.gpuLayers;
report.totalLayers = model.fileInsights.totalLayers;
const context = await model.createContext({contextSize: 512, seed: 1});
const completion = new LlamaCompletion({contextSequence: context.getSequence()});
report.text = await completion.generateCompletion(prompt, {maxTokens: Number(maxTokens), temperature: 0, seed: 1});
await context.dispose();
await model.dispose();
console.log(JSON.stringify(report));
process.exit(0);
