// The tensor table, the exception guard, argument readers, and process-wide settings
// (threads, seeds, CUDA availability, memory accounting).
#include "common.h"
#include "distributed.h"
#include "aten_args.h"

#include <ATen/Parallel.h>
#include <ATen/autocast_mode.h>
#include <ATen/CPUGeneratorImpl.h>
#include <ATen/detail/CUDAHooksInterface.h>
#include <c10/core/GradMode.h>
#include <torch/version.h>

#include <dlfcn.h>
#include <malloc.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <thread>

namespace tl {

// ---- the tensor table -------------------------------------------------------------------
// A handle is slot + generation * 2^24, exact in a double. Freeing a slot bumps its generation,
// so an old handle to a reused slot is rejected instead of silently aliasing another tensor.
namespace {
constexpr double kSlotSpan = 16777216.0;  // 2^24 slots
// Never destroyed: at process exit, static destructors run in no fixed order across translation
// units, and freeing tensors then would call storage deleters (fromBlob's) whose state is already
// gone. The OS reclaims the memory.
std::vector<at::Tensor>& g_tensors = *new std::vector<at::Tensor>();
std::vector<uint32_t>& g_gens = *new std::vector<uint32_t>();
std::vector<uint32_t>& g_free = *new std::vector<uint32_t>();
size_t g_live = 0;

bool decode(double d, uint32_t* slot) {
  if (!(d >= 0) || d != std::floor(d) || d >= 9007199254740992.0) return false;
  uint64_t h = static_cast<uint64_t>(d);
  uint32_t s = static_cast<uint32_t>(h & 0xFFFFFF);
  uint64_t gen = h >> 24;
  if (s >= g_tensors.size() || g_gens[s] != gen || !g_tensors[s].defined()) return false;
  *slot = s;
  return true;
}

bool release(double d) {
  uint32_t s;
  if (!decode(d, &s)) return false;
  g_tensors[s].reset();
  g_gens[s] = (g_gens[s] + 1) & 0x0FFFFFFF;  // 28 bits: slot + gen stays below 2^52
  g_free.push_back(s);
  g_live--;
  return true;
}

// (kind, message) => Error, set by the JS layer; never destroyed (see g_tensors)
Napi::FunctionReference& g_errorFactory = *new Napi::FunctionReference();
}  // namespace

Napi::Value put(Napi::Env env, at::Tensor t) {
  if (!t.defined()) return env.Null();
  uint32_t s;
  if (!g_free.empty()) {
    s = g_free.back();
    g_free.pop_back();
    g_tensors[s] = std::move(t);
  } else {
    if (g_tensors.size() >= 0xFFFFFF) throw std::runtime_error("too many live tensors (16M): dispose tensors or use tidy()");
    s = static_cast<uint32_t>(g_tensors.size());
    g_tensors.push_back(std::move(t));
    g_gens.push_back(0);
  }
  g_live++;
  return Napi::Number::New(env, s + g_gens[s] * kSlotSpan);
}

at::Tensor& get(const Napi::Value& v) {
  if (!v.IsNumber()) throw ArgTypeError("expected a Tensor");
  uint32_t s;
  if (!decode(v.As<Napi::Number>().DoubleValue(), &s)) throw ArgTypeError("tensor has been disposed");
  return g_tensors[s];
}

// ---- the guard ---------------------------------------------------------------------------
namespace {
Napi::Error jsError(Napi::Env env, const char* kind, const std::string& msg) {
  if (!g_errorFactory.IsEmpty()) {
    Napi::Value e = g_errorFactory.Call({Napi::String::New(env, kind), Napi::String::New(env, msg)});
    return Napi::Error(env, e);
  }
  return Napi::Error::New(env, msg);
}

// Turns the exception being handled into a JS error; `prefix` names the op for generated bindings.
[[noreturn]] void rethrowJs(Napi::Env env, const std::string& prefix) {
  try {
    throw;
  } catch (const Napi::Error&) {
    throw;
  } catch (const ArgTypeError& e) {
    throw Napi::TypeError::New(env, prefix + e.what());
  } catch (const ArgRangeError& e) {
    throw Napi::RangeError::New(env, prefix + e.what());
  } catch (const c10::IndexError& e) {
    throw jsError(env, "IndexError", prefix + e.what_without_backtrace());
  } catch (const c10::ValueError& e) {
    throw jsError(env, "ValueError", prefix + e.what_without_backtrace());
  } catch (const c10::TypeError& e) {
    throw jsError(env, "TypeError", prefix + e.what_without_backtrace());
  } catch (const c10::NotImplementedError& e) {
    throw jsError(env, "NotImplementedError", prefix + e.what_without_backtrace());
  } catch (const c10::Error& e) {
    throw jsError(env, "RuntimeError", prefix + e.what_without_backtrace());
  } catch (const std::bad_alloc&) {
    throw jsError(env, "OutOfMemoryError", prefix + "out of memory");
  } catch (const std::exception& e) {
    throw jsError(env, "RuntimeError", prefix + e.what());
  } catch (...) {
    throw jsError(env, "RuntimeError", prefix + "unknown C++ exception");
  }
}

Napi::Value guarded(const Napi::CallbackInfo& info) {
  Fn fn = reinterpret_cast<Fn>(info.Data());
  try {
    return fn(info);
  } catch (...) {
    rethrowJs(info.Env(), "");
  }
}

// Generated bindings: Data is the Binding itself, so every error names the ATen op.
Napi::Value guardedNamed(const Napi::CallbackInfo& info) {
  const Binding* b = static_cast<const Binding*>(info.Data());
  try {
    return b->fn(info);
  } catch (...) {
    rethrowJs(info.Env(), std::string("aten::") + b->name + ": ");
  }
}
}  // namespace

void registerAll(Napi::Env env, Napi::Object exports, const Binding* table, size_t n) {
  for (size_t i = 0; i < n; i++) {
    exports.Set(table[i].name,
                Napi::Function::New(env, guarded, table[i].name, reinterpret_cast<void*>(table[i].fn)));
  }
}

void registerNamed(Napi::Env env, Napi::Object target, const Binding* table, size_t n) {
  for (size_t i = 0; i < n; i++) {
    target.Set(table[i].name, Napi::Function::New(env, guardedNamed, table[i].name,
                                                  const_cast<void*>(static_cast<const void*>(&table[i]))));
  }
}

// ---- argument readers ----------------------------------------------------------------------
namespace {
const Napi::Value arg(const Napi::CallbackInfo& info, size_t i) { return info[i]; }
std::string where(size_t i) { return "argument " + std::to_string(i); }
}  // namespace

bool isNullish(const Napi::CallbackInfo& info, size_t i) {
  return i >= info.Length() || info[i].IsNull() || info[i].IsUndefined();
}
at::Tensor& T(const Napi::CallbackInfo& info, size_t i) { return get(arg(info, i)); }
c10::optional<at::Tensor> optT(const Napi::CallbackInfo& info, size_t i) {
  if (isNullish(info, i)) return c10::nullopt;
  return get(info[i]);
}
std::vector<at::Tensor> TL(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsArray()) throw ArgTypeError(where(i) + ": expected an array of tensors");
  Napi::Array a = info[i].As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(a.Length());
  for (uint32_t k = 0; k < a.Length(); k++) out.push_back(get(a.Get(k)));
  return out;
}
double D(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsNumber()) throw ArgTypeError(where(i) + ": expected a number");
  return info[i].As<Napi::Number>().DoubleValue();
}
c10::optional<double> optD(const Napi::CallbackInfo& info, size_t i) {
  if (isNullish(info, i)) return c10::nullopt;
  return D(info, i);
}
static int64_t toInt(double d, const std::string& what) {
  if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9007199254740991.0)
    throw ArgRangeError(what + ": expected an integer, got " + std::to_string(d));
  return static_cast<int64_t>(d);
}
int64_t I(const Napi::CallbackInfo& info, size_t i) { return toInt(D(info, i), where(i)); }
c10::optional<int64_t> optI(const Napi::CallbackInfo& info, size_t i) {
  if (isNullish(info, i)) return c10::nullopt;
  return I(info, i);
}
bool B(const Napi::CallbackInfo& info, size_t i) {
  if (isNullish(info, i)) return false;
  if (!info[i].IsBoolean()) throw ArgTypeError(where(i) + ": expected a boolean");
  return info[i].As<Napi::Boolean>().Value();
}
std::string Str(const Napi::CallbackInfo& info, size_t i) {
  if (!info[i].IsString()) throw ArgTypeError(where(i) + ": expected a string");
  return info[i].As<Napi::String>().Utf8Value();
}
// JS has one number type: an integer-valued number becomes an integer Scalar (like a Python int,
// so int tensors stay int), anything else a double (like a Python float).
at::Scalar S(const Napi::CallbackInfo& info, size_t i) {
  if (i < info.Length() && info[i].IsBoolean()) return at::Scalar(info[i].As<Napi::Boolean>().Value());
  double d = D(info, i);
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) <= 9007199254740991.0)
    return at::Scalar(static_cast<int64_t>(d));
  return at::Scalar(d);
}
c10::optional<at::Scalar> optS(const Napi::CallbackInfo& info, size_t i) {
  if (isNullish(info, i)) return c10::nullopt;
  return S(info, i);
}
std::vector<int64_t> IL(const Napi::CallbackInfo& info, size_t i) {
  std::vector<int64_t> out;
  if (i < info.Length() && info[i].IsNumber()) {
    out.push_back(I(info, i));
    return out;
  }
  if (i >= info.Length() || !info[i].IsArray()) throw ArgTypeError(where(i) + ": expected an array of integers");
  Napi::Array a = info[i].As<Napi::Array>();
  out.reserve(a.Length());
  for (uint32_t k = 0; k < a.Length(); k++) {
    Napi::Value v = a.Get(k);
    if (!v.IsNumber()) throw ArgTypeError(where(i) + ": expected an array of integers");
    out.push_back(toInt(v.As<Napi::Number>().DoubleValue(), where(i)));
  }
  return out;
}
c10::optional<at::ScalarType> optDtype(const Napi::CallbackInfo& info, size_t i) {
  if (isNullish(info, i)) return c10::nullopt;
  int64_t c = I(info, i);
  if (c < 0) return c10::nullopt;
  if (c >= static_cast<int64_t>(at::ScalarType::NumOptions)) throw ArgRangeError(where(i) + ": unknown dtype code");
  return static_cast<at::ScalarType>(c);
}
at::Device Dev(const Napi::CallbackInfo& info, size_t i) {
  if (isNullish(info, i)) return at::Device(at::kCPU);
  at::Device d(Str(info, i));  // c10 parses and validates ("cpu", "cuda", "cuda:1")
  // Without this, libtorch's message for a CPU-only build is a dispatcher dump.
  TORCH_CHECK(!d.is_cuda() || at::hasCUDA(), "CUDA is not available: torchlab was built against a libtorch without ",
              "CUDA support or no GPU is visible (see the README: LIBTORCH / LIBTORCH_USE_PYTORCH)");
  return d;
}
at::TensorOptions Opts(const Napi::CallbackInfo& info, size_t i, at::ScalarType fallback) {
  auto dt = optDtype(info, i);
  return at::TensorOptions().dtype(dt ? *dt : fallback).device(Dev(info, i + 1));
}
Napi::Value RG(const Napi::CallbackInfo& info, at::Tensor t, size_t i) {
  if (B(info, i + 2)) t.requires_grad_(true);
  return put(info.Env(), std::move(t));
}

Napi::Value RList(const Napi::CallbackInfo& info, const std::vector<at::Tensor>& ts) {
  Napi::Array a = Napi::Array::New(info.Env(), ts.size());
  for (size_t k = 0; k < ts.size(); k++) a.Set(static_cast<uint32_t>(k), put(info.Env(), ts[k]));
  return a;
}
Napi::Value RPair(const Napi::CallbackInfo& info, const std::tuple<at::Tensor, at::Tensor>& ts) {
  return RList(info, {std::get<0>(ts), std::get<1>(ts)});
}

// ---- bindings: handles, memory, settings -----------------------------------------------------
namespace {
Napi::Value setErrorFactory(const Napi::CallbackInfo& info) {
  if (!info[0].IsFunction()) throw ArgTypeError("setErrorFactory: expected a function");
  g_errorFactory.Reset(info[0].As<Napi::Function>(), 1);
  return info.Env().Undefined();
}
Napi::Value dispose(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), info[0].IsNumber() && release(info[0].As<Napi::Number>().DoubleValue()));
}
// Frees many handles in one call (the end of a tidy scope); stale handles are skipped.
Napi::Value disposeMany(const Napi::CallbackInfo& info) {
  Napi::Array a = info[0].As<Napi::Array>();
  uint32_t n = a.Length(), freed = 0;
  for (uint32_t k = 0; k < n; k++) {
    Napi::Value v = a.Get(k);
    if (v.IsNumber() && release(v.As<Napi::Number>().DoubleValue())) freed++;
  }
  return Napi::Number::New(info.Env(), freed);
}
Napi::Value isLive(const Napi::CallbackInfo& info) {
  uint32_t s;
  return Napi::Boolean::New(info.Env(), info[0].IsNumber() && decode(info[0].As<Napi::Number>().DoubleValue(), &s));
}
// Live handles and the bytes of the distinct storages behind them, per device.
Napi::Value memory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::map<std::string, std::pair<double, double>> perDevice;  // device -> (tensors, bytes)
  std::set<const void*> seen;
  for (const at::Tensor& t : g_tensors) {
    if (!t.defined()) continue;
    auto& entry = perDevice[t.device().str()];
    entry.first += 1;
    if (t.has_storage()) {
      const void* key = t.storage().unsafeGetStorageImpl();
      if (seen.insert(key).second) entry.second += static_cast<double>(t.storage().nbytes());
    }
  }
  Napi::Object out = Napi::Object::New(env), devices = Napi::Object::New(env);
  double n = 0, bytes = 0;
  for (auto& [dev, e] : perDevice) {
    Napi::Object d = Napi::Object::New(env);
    d.Set("numTensors", e.first);
    d.Set("numBytes", e.second);
    devices.Set(dev, d);
    n += e.first;
    bytes += e.second;
  }
  out.Set("numTensors", n);
  out.Set("numBytes", bytes);
  out.Set("devices", devices);
  return out;
}
// at::set_num_threads sizes libtorch's own (OpenMP) pool only. Debian's libtorch runs the matrix
// products of conv and linear on OpenBLAS (pthread build), whose pool has one thread per core and
// spins between calls: a PyTorch 1.13 process after set_num_threads(1) still keeps a second core
// busy (measured on the CNN step: 3-4 s of CPU on OpenBLAS's thread in a 3 s run, on both sides).
// Deliberate improvement on PyTorch: n threads means n threads, OpenBLAS's included. OpenBLAS is
// reached through dlopen(RTLD_NOLOAD) because Node loads the addon's libraries RTLD_LOCAL.
void setThreads(int n) {
  at::set_num_threads(n);
  using SetFn = void (*)(int);
  static SetFn openblas = [] {
    for (const char* lib : {"libopenblas.so.0", "libblas.so.3"}) {
      if (void* h = dlopen(lib, RTLD_LAZY | RTLD_NOLOAD)) {
        if (void* f = dlsym(h, "openblas_set_num_threads")) return reinterpret_cast<SetFn>(f);
      }
    }
    return static_cast<SetFn>(nullptr);
  }();
  if (openblas) openblas(n);
}
Napi::Value setNumThreads(const Napi::CallbackInfo& info) {
  int64_t n = I(info, 0);
  if (n < 1) throw ArgRangeError("setNumThreads: the number of threads must be >= 1, got " + std::to_string(n));
  setThreads(static_cast<int>(n));
  return info.Env().Undefined();
}
Napi::Value getNumThreads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), at::get_num_threads()); }
Napi::Value hardwareConcurrency(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), std::max(1u, std::thread::hardware_concurrency()));
}
Napi::Value cudaIsAvailable(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), at::hasCUDA()); }
Napi::Value cudaDeviceCount(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), at::hasCUDA() ? at::detail::getCUDAHooks().getNumGPUs() : 0);
}
// Seeds every default generator, as torch.manual_seed does (CPU, then each CUDA device).
Napi::Value manualSeed(const Napi::CallbackInfo& info) {
  int64_t seed = I(info, 0);
  auto gen = at::detail::getDefaultCPUGenerator();
  {
    std::lock_guard<std::mutex> lock(gen.mutex());
    gen.set_current_seed(static_cast<uint64_t>(seed));
  }
  if (at::hasCUDA()) {
    for (int64_t d = 0; d < at::detail::getCUDAHooks().getNumGPUs(); d++) {
      auto g = at::detail::getCUDAHooks().getDefaultCUDAGenerator(d);
      std::lock_guard<std::mutex> lock(g.mutex());
      g.set_current_seed(static_cast<uint64_t>(seed));
    }
  }
  return info.Env().Undefined();
}
// The CPU generator's full state as a uint8 tensor (torch.get_rng_state), and back.
Napi::Value getRngState(const Napi::CallbackInfo& info) {
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  return R(info, gen.get_state());
}
Napi::Value setRngState(const Napi::CallbackInfo& info) {
  at::Tensor& s = T(info, 0);
  auto gen = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(gen.mutex());
  gen.set_state(s);
  return info.Env().Undefined();
}
Napi::Value setGradEnabled(const Napi::CallbackInfo& info) {
  bool prev = c10::GradMode::is_enabled();
  c10::GradMode::set_enabled(B(info, 0));
  return Napi::Boolean::New(info.Env(), prev);
}
Napi::Value isGradEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), c10::GradMode::is_enabled());
}
// Autocast (torch.autocast.__enter__/__exit__): autocastEnter(deviceType, enabled, dtypeCode)
// sets the state of "cpu" or "cuda" and returns the previous [enabled, dtypeCode];
// autocastExit(deviceType, prevEnabled, prevDtypeCode) restores it and, when the outermost region
// ends, clears the cast-weight cache as PyTorch does.
bool autocastCpu(const Napi::CallbackInfo& info) {
  std::string type = Str(info, 0);
  if (type != "cpu" && type != "cuda") throw ArgTypeError("autocast: device type must be 'cpu' or 'cuda', got '" + type + "'");
  return type == "cpu";
}
void setAutocastState(bool cpu, bool enabled, c10::optional<at::ScalarType> dtype) {
  if (dtype) {
    if (cpu) at::autocast::set_autocast_cpu_dtype(*dtype);
    else at::autocast::set_autocast_gpu_dtype(*dtype);
  }
  if (cpu) at::autocast::set_cpu_enabled(enabled);
  else at::autocast::set_enabled(enabled);
}
Napi::Value autocastEnter(const Napi::CallbackInfo& info) {
  bool cpu = autocastCpu(info);
  bool enabled = B(info, 1);
  auto dtype = optDtype(info, 2);
  if (!cpu && enabled && !at::hasCUDA()) throw ArgTypeError("autocast: CUDA is not available");
  bool prev = cpu ? at::autocast::is_cpu_enabled() : at::autocast::is_enabled();
  at::ScalarType prevDtype = cpu ? at::autocast::get_autocast_cpu_dtype() : at::autocast::get_autocast_gpu_dtype();
  setAutocastState(cpu, enabled, dtype);
  at::autocast::increment_nesting();
  Napi::Array out = Napi::Array::New(info.Env(), 2);
  out.Set(0u, Napi::Boolean::New(info.Env(), prev));
  out.Set(1u, Napi::Number::New(info.Env(), static_cast<int>(prevDtype)));
  return out;
}
Napi::Value autocastExit(const Napi::CallbackInfo& info) {
  bool cpu = autocastCpu(info);
  setAutocastState(cpu, B(info, 1), optDtype(info, 2));
  if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
  return info.Env().Undefined();
}
Napi::Value version(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) +
                                           "." + std::to_string(TORCH_VERSION_PATCH));
}

// `torchlab doctor`: how this libtorch was built (BLAS, CUDA, ...) and its thread settings.
Napi::Value buildInfo(const Napi::CallbackInfo& info) {
  Napi::Object o = Napi::Object::New(info.Env());
  o.Set("config", at::show_config());
  o.Set("parallel", at::get_parallel_info());
  return o;
}

const Binding kCore[] = {
    {"setErrorFactory", setErrorFactory}, {"dispose", dispose},
    {"disposeMany", disposeMany},         {"isLive", isLive},
    {"memory", memory},                   {"setNumThreads", setNumThreads},
    {"getNumThreads", getNumThreads},     {"hardwareConcurrency", hardwareConcurrency},
    {"cudaIsAvailable", cudaIsAvailable}, {"cudaDeviceCount", cudaDeviceCount},
    {"manualSeed", manualSeed},           {"getRngState", getRngState},
    {"setRngState", setRngState},         {"setGradEnabled", setGradEnabled},
    {"isGradEnabled", isGradEnabled},     {"version", version},
    {"autocastEnter", autocastEnter},   {"autocastExit", autocastExit},
    {"buildInfo", buildInfo},
};
}  // namespace

void registerCore(Napi::Env env, Napi::Object exports) { TL_REGISTER(env, exports, kCore); }

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  // libtorch starts with 1 intra-op thread on these machines; use every core, as PyTorch does.
  // OMP_NUM_THREADS wins when set, as in PyTorch (`torchlab run` splits the cores between ranks with it).
  const char* omp = std::getenv("OMP_NUM_THREADS");
  int ompThreads = omp ? std::atoi(omp) : 0;
  setThreads(ompThreads > 0 ? ompThreads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
  // glibc returns big freed blocks to the OS and a training step then page-faults them back
  // (measured: ~12,000 faults and +25% step time at batch 256). Keep them mapped, as PyTorch's
  // own caching allocators do; TORCHLAB_MALLOC_DEFAULTS=1 keeps glibc's defaults.
  // M_MMAP_THRESHOLD cannot go above 32 MiB, and blocks above it (the lab's CNN at batch 1024: a
  // 51 MB activation) were still mmap'd and faulted in page by page every step; M_MMAP_MAX = 0 puts
  // every block on the heap, where a freed one is reused (measured on a lab CNN epoch: minor faults
  // 500k -> 200k, system time 2.5 -> 1.5 s, epoch 5.4 -> 5.1 s). glibc still mmaps where the heap
  // cannot grow (threads' arenas), so this never turns into an allocation failure.
  const char* keepDefaults = std::getenv("TORCHLAB_MALLOC_DEFAULTS");
  if (!(keepDefaults && keepDefaults[0] == '1')) {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 1 << 30);
    mallopt(M_MMAP_MAX, 0);
  }
  registerCore(env, exports);
  registerAutograd(env, exports);
  registerCreation(env, exports);
  registerMath(env, exports);
  registerShape(env, exports);
  registerNN(env, exports);
  registerForeach(env, exports);
  registerDistributed(env, exports);
  registerDdp(env, exports);
  Napi::Object aten = Napi::Object::New(env);
  gen::registerAten0(env, aten);
  gen::registerAten1(env, aten);
  gen::registerAten2(env, aten);
  gen::registerAten3(env, aten);
  exports.Set("aten", aten);
  return exports;
}

}  // namespace tl

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return tl::Init(env, exports); }
NODE_API_MODULE(torchlab, InitAddon)
