// torch.distributed on libtorch's own c10d: stores (TCPStore, FileStore, PrefixStore), the Gloo
// process group (NCCL when this libtorch has CUDA + NCCL), collectives and their Work.
//
// Nothing here blocks Node's event loop while it waits on the network: rendezvous (store +
// process group construction) and every Work's wait run on libuv's thread pool (Napi::AsyncWorker)
// and settle a Promise. A collective itself is only *enqueued* on the main thread (Gloo runs it
// on its own threads), so its handle is returned at once. Work and the default group live in
// tables of their own; JS holds numbers, as for tensors (core.cc).
#include "distributed.h"

#include <torch/csrc/distributed/c10d/FileStore.hpp>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef USE_C10D_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <cstdlib>
#include <functional>
#include <map>
#include <memory>

namespace tl {
namespace {
// Never destroyed (like the tensor table): at exit, static destructors would tear down Gloo's
// threads in no fixed order. destroyProcessGroup releases them while the process runs.
c10::intrusive_ptr<c10d::Store>& g_store = *new c10::intrusive_ptr<c10d::Store>();
c10::intrusive_ptr<c10d::ProcessGroup>& g_pg = *new c10::intrusive_ptr<c10d::ProcessGroup>();
bool g_initializing = false;

// A collective in flight. `after` runs on the waiting thread once the work has succeeded: the
// steps c10d's Gloo lacks (AVG's division, reduce-scatter's copy-out). `keep` holds the tensors
// the op reads or writes, so disposing their JS handles meanwhile frees nothing under it.
struct Pending {
  c10::intrusive_ptr<c10d::Work> work;
  std::function<void()> after;
  std::vector<at::Tensor> keep;
};
std::map<double, std::shared_ptr<Pending>>& g_works = *new std::map<double, std::shared_ptr<Pending>>();
double g_nextWork = 1;

// c10::Error's message without the C++ backtrace; anything else's what().
std::string message(const std::exception& e) {
  if (auto* ce = dynamic_cast<const c10::Error*>(&e)) return ce->what_without_backtrace();
  return e.what();
}

// ---- rendezvous -------------------------------------------------------------------------------
struct InitSpec {
  std::string backend, store, host, path;
  int port = 0, rank = 0, worldSize = 1;
  int64_t timeoutMs = 0;
};

bool isLoopback(const std::string& h) { return h == "127.0.0.1" || h == "localhost" || h == "::1"; }

class InitWorker : public Napi::AsyncWorker {
 public:
  InitWorker(Napi::Env env, InitSpec spec)
      : Napi::AsyncWorker(env, "torchlab:distInit"), spec_(std::move(spec)), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise promise() { return deferred_.Promise(); }

  void Execute() override {
    try {
      auto timeout = std::chrono::milliseconds(spec_.timeoutMs);
      c10::intrusive_ptr<c10d::Store> store;
      if (spec_.store == "file") {
        store = c10::make_intrusive<c10d::FileStore>(spec_.path, spec_.worldSize);
      } else {
        c10d::TCPStoreOptions o;
        o.port = static_cast<uint16_t>(spec_.port);
        o.isServer = spec_.rank == 0;
        o.numWorkers = static_cast<size_t>(spec_.worldSize);
        o.waitWorkers = true;  // the server returns once every rank has connected (or times out)
        o.timeout = timeout;
        auto tcp = c10::make_intrusive<c10d::TCPStore>(spec_.host, o);
        port_ = tcp->getPort();
        store = tcp;
      }
      store->setTimeout(timeout);
      // As init_process_group does: the default group's keys live under "default_pg".
      auto prefixed = c10::make_intrusive<c10d::PrefixStore>("default_pg", store);
      c10::intrusive_ptr<c10d::ProcessGroup> pg;
      if (spec_.backend == "gloo") {
        auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
        // PyTorch's choice of network device: GLOO_SOCKET_IFNAME, else the host's default; a
        // loopback master means a one-machine run, so stay on loopback.
        const char* ifname = std::getenv("GLOO_SOCKET_IFNAME");
        if (ifname && *ifname) opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
        else if (spec_.store == "tcp" && isLoopback(spec_.host)) opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
        else opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
        pg = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, spec_.rank, spec_.worldSize, opts);
      } else {
#ifdef USE_C10D_NCCL
        auto opts = c10d::ProcessGroupNCCL::Options::create();
        opts->timeout = timeout;
        pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(prefixed, spec_.rank, spec_.worldSize, opts);
#else
        throw std::runtime_error("backend 'nccl' needs a libtorch built with CUDA and NCCL; this addon's libtorch has "
                                 "neither (use backend 'gloo', or build against a CUDA libtorch: LIBTORCH_USE_PYTORCH=1 npx torchlab setup)");
#endif
      }
      store_ = store;
      pg_ = pg;
    } catch (const std::exception& e) {
      SetError(message(e));
    } catch (...) {
      SetError("unknown C++ exception during rendezvous");
    }
  }
  void OnOK() override {
    g_initializing = false;
    g_store = store_;
    g_pg = pg_;
    Napi::Object o = Napi::Object::New(Env());
    o.Set("rank", spec_.rank);
    o.Set("worldSize", spec_.worldSize);
    o.Set("backend", spec_.backend);
    o.Set("port", port_);
    deferred_.Resolve(o);
  }
  void OnError(const Napi::Error& e) override {
    g_initializing = false;
    deferred_.Reject(e.Value());
  }

 private:
  InitSpec spec_;
  Napi::Promise::Deferred deferred_;
  c10::intrusive_ptr<c10d::Store> store_;
  c10::intrusive_ptr<c10d::ProcessGroup> pg_;
  int port_ = 0;
};

int intField(const Napi::Object& o, const char* k) {
  Napi::Value v = o.Get(k);
  if (!v.IsNumber()) throw ArgTypeError(std::string("distInit: ") + k + " must be a number");
  return v.As<Napi::Number>().Int32Value();
}
std::string strField(const Napi::Object& o, const char* k) {
  Napi::Value v = o.Get(k);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string();
}

// distInit({backend, store: 'tcp'|'file', host, port, path, rank, worldSize, timeoutMs}) -> Promise
Napi::Value distInit(const Napi::CallbackInfo& info) {
  if (!info[0].IsObject()) throw ArgTypeError("distInit: expected an options object");
  if (g_pg || g_initializing) throw std::runtime_error("the default process group is already initialized (call destroyProcessGroup first)");
  Napi::Object o = info[0].As<Napi::Object>();
  InitSpec s;
  s.backend = strField(o, "backend");
  s.store = strField(o, "store");
  s.host = strField(o, "host");
  s.path = strField(o, "path");
  s.port = intField(o, "port");
  s.rank = intField(o, "rank");
  s.worldSize = intField(o, "worldSize");
  Napi::Value tm = o.Get("timeoutMs");
  if (!tm.IsNumber()) throw ArgTypeError("distInit: timeoutMs must be a number");
  s.timeoutMs = static_cast<int64_t>(tm.As<Napi::Number>().DoubleValue());
  if (s.backend != "gloo" && s.backend != "nccl") throw ArgRangeError("distInit: backend must be 'gloo' or 'nccl'");
  if (s.store != "tcp" && s.store != "file") throw ArgRangeError("distInit: store must be 'tcp' or 'file'");
  if (s.worldSize < 1 || s.rank < 0 || s.rank >= s.worldSize) throw ArgRangeError("distInit: rank must be in [0, worldSize)");
  if (s.port < 0 || s.port > 65535) throw ArgRangeError("distInit: port must be in [0, 65535]");
  if (s.timeoutMs <= 0) throw ArgRangeError("distInit: timeout must be positive");
  g_initializing = true;
  auto* w = new InitWorker(info.Env(), std::move(s));
  Napi::Promise p = w->promise();
  w->Queue();
  return p;
}

Napi::Value distDestroy(const Napi::CallbackInfo& info) {
  bool had = static_cast<bool>(g_pg);
  g_pg.reset();
  g_store.reset();
  return Napi::Boolean::New(info.Env(), had);
}
Napi::Value distIsInitialized(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), static_cast<bool>(g_pg)); }
Napi::Value distRank(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), defaultGroup()->getRank()); }
Napi::Value distWorldSize(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), defaultGroup()->getSize()); }
Napi::Value distBackend(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), defaultGroup()->getBackendName()); }

// ---- work ---------------------------------------------------------------------------------------
Napi::Value track(const Napi::CallbackInfo& info, c10::intrusive_ptr<c10d::Work> work, std::vector<at::Tensor> keep,
                  std::function<void()> after = nullptr) {
  auto p = std::make_shared<Pending>();
  p->work = std::move(work);
  p->keep = std::move(keep);
  p->after = std::move(after);
  double id = g_nextWork++;
  g_works[id] = p;
  return Napi::Number::New(info.Env(), id);
}

class WaitWorker : public Napi::AsyncWorker {
 public:
  WaitWorker(Napi::Env env, std::shared_ptr<Pending> p)
      : Napi::AsyncWorker(env, "torchlab:distWait"), p_(std::move(p)), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise promise() { return deferred_.Promise(); }
  void Execute() override {
    try {
      p_->work->wait();
      if (p_->after) p_->after();
    } catch (const std::exception& e) {
      SetError(message(e));
    } catch (...) {
      SetError("unknown C++ exception in a collective");
    }
  }
  void OnOK() override {
    p_.reset();  // the tensors are released on the main thread, as everywhere else
    deferred_.Resolve(Env().Undefined());
  }
  void OnError(const Napi::Error& e) override {
    p_.reset();
    deferred_.Reject(e.Value());
  }

 private:
  std::shared_ptr<Pending> p_;
  Napi::Promise::Deferred deferred_;
};

std::shared_ptr<Pending> takeWork(const Napi::CallbackInfo& info) {
  auto it = g_works.find(D(info, 0));
  if (it == g_works.end()) throw ArgTypeError("unknown or already awaited work");
  return it->second;
}
// distWait(work) -> Promise<void>; a work is awaited once (the JS Work caches the promise).
Napi::Value distWait(const Napi::CallbackInfo& info) {
  auto p = takeWork(info);
  g_works.erase(D(info, 0));
  auto* w = new WaitWorker(info.Env(), std::move(p));
  Napi::Promise promise = w->promise();
  w->Queue();
  return promise;
}
Napi::Value distIsCompleted(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), takeWork(info)->work->isCompleted()); }

// ---- collectives (each returns a work id) -----------------------------------------------------------
c10d::ReduceOp parseOp(const std::string& op) {
  if (op == "sum") return c10d::ReduceOp::SUM;
  if (op == "avg") return c10d::ReduceOp::AVG;
  if (op == "product") return c10d::ReduceOp::PRODUCT;
  if (op == "min") return c10d::ReduceOp::MIN;
  if (op == "max") return c10d::ReduceOp::MAX;
  if (op == "band") return c10d::ReduceOp::BAND;
  if (op == "bor") return c10d::ReduceOp::BOR;
  if (op == "bxor") return c10d::ReduceOp::BXOR;
  throw ArgRangeError("unknown reduce op '" + op + "' (sum, avg, product, min, max, band, bor, bxor)");
}
bool isGloo(const c10::intrusive_ptr<c10d::ProcessGroup>& pg) { return pg->getBackendName() == "gloo"; }
// Gloo in libtorch 1.13 has no AVG ("Cannot use ReduceOp.AVG with Gloo"): reduce with SUM, then
// divide by the world size after the work completes. Integer tensors cannot hold an average.
bool emulateAvg(const c10::intrusive_ptr<c10d::ProcessGroup>& pg, c10d::ReduceOp op, const at::Tensor& t) {
  if (op != c10d::ReduceOp::AVG || !isGloo(pg)) return false;
  TORCH_CHECK(at::isFloatingType(t.scalar_type()) || at::isComplexType(t.scalar_type()),
              "ReduceOp avg needs a floating-point tensor, got ", t.scalar_type());
  return true;
}

// distAllReduce(t, op)
Napi::Value distAllReduce(const Napi::CallbackInfo& info) {
  auto pg = defaultGroup();
  at::Tensor t = T(info, 0);
  c10d::ReduceOp op = parseOp(Str(info, 1));
  std::vector<at::Tensor> ts{t};
  if (emulateAvg(pg, op, t)) {
    int64_t n = pg->getSize();
    c10d::AllreduceOptions o;
    o.reduceOp = c10d::ReduceOp::SUM;
    return track(info, pg->allreduce(ts, o), ts, [t, n]() mutable { t.div_(n); });
  }
  c10d::AllreduceOptions o;
  o.reduceOp = op;
  return track(info, pg->allreduce(ts, o), ts);
}
// distBroadcast(t, src)
Napi::Value distBroadcast(const Napi::CallbackInfo& info) {
  auto pg = defaultGroup();
  std::vector<at::Tensor> ts{T(info, 0)};
  c10d::BroadcastOptions o;
  o.rootRank = I(info, 1);
  return track(info, pg->broadcast(ts, o), ts);
}
// distAllGather(outputs[], t)
Napi::Value distAllGather(const Napi::CallbackInfo& info) {
  auto pg = defaultGroup();
  std::vector<std::vector<at::Tensor>> out{TL(info, 0)};
  std::vector<at::Tensor> in{T(info, 1)};
  std::vector<at::Tensor> keep = out[0];
  keep.push_back(in[0]);
  return track(info, pg->allgather(out, in), keep);
}
// distReduceScatter(output, inputs[], op). Gloo 1.13 has no reduce_scatter ("ProcessGroupGloo does
// not support reduce_scatter"): all-reduce the inputs concatenated, then keep this rank's part. It
// moves worldSize times the data of a real reduce-scatter; the values are the same.
Napi::Value distReduceScatter(const Napi::CallbackInfo& info) {
  auto pg = defaultGroup();
  at::Tensor out = T(info, 0);
  std::vector<at::Tensor> ins = TL(info, 1);
  c10d::ReduceOp op = parseOp(Str(info, 2));
  int64_t n = pg->getSize();
  if (static_cast<int64_t>(ins.size()) != n)
    throw ArgRangeError("reduceScatter: expected " + std::to_string(n) + " input tensors (one per rank), got " + std::to_string(ins.size()));
  for (const auto& x : ins)
    TORCH_CHECK(x.sizes() == out.sizes() && x.scalar_type() == out.scalar_type(),
                "reduceScatter: every input must have the output's shape and dtype");
  if (!isGloo(pg)) {
    std::vector<at::Tensor> outs{out};
    std::vector<std::vector<at::Tensor>> inss{ins};
    c10d::ReduceScatterOptions o;
    o.reduceOp = op;
    std::vector<at::Tensor> keep = ins;
    keep.push_back(out);
    return track(info, pg->reduce_scatter(outs, inss, o), keep);
  }
  bool avg = emulateAvg(pg, op, out);
  std::vector<at::Tensor> flat{at::cat(at::TensorList(ins).vec(), 0).reshape({n, -1}).contiguous()};
  c10d::AllreduceOptions o;
  o.reduceOp = avg ? c10d::ReduceOp(c10d::ReduceOp::SUM) : op;
  int64_t rank = pg->getRank();
  at::Tensor buf = flat[0];
  return track(info, pg->allreduce(flat, o), {buf, out}, [buf, out, rank, n, avg]() mutable {
    at::Tensor mine = buf.select(0, rank).view(out.sizes());
    if (avg) mine.div_(n);
    out.copy_(mine);
  });
}
// distGather(t, gatherList[]|null, dst): the list only on dst, as c10d requires.
Napi::Value distGather(const Napi::CallbackInfo& info) {
  auto pg = defaultGroup();
  std::vector<at::Tensor> in{T(info, 0)};
  std::vector<std::vector<at::Tensor>> out;
  std::vector<at::Tensor> keep = in;
  if (!isNullish(info, 1)) {
    out.push_back(TL(info, 1));
    keep.insert(keep.end(), out[0].begin(), out[0].end());
  }
  c10d::GatherOptions o;
  o.rootRank = I(info, 2);
  return track(info, pg->gather(out, in, o), keep);
}
// distScatter(t, scatterList[]|null, src)
Napi::Value distScatter(const Napi::CallbackInfo& info) {
  auto pg = defaultGroup();
  std::vector<at::Tensor> out{T(info, 0)};
  std::vector<std::vector<at::Tensor>> in;
  std::vector<at::Tensor> keep = out;
  if (!isNullish(info, 1)) {
    in.push_back(TL(info, 1));
    keep.insert(keep.end(), in[0].begin(), in[0].end());
  }
  c10d::ScatterOptions o;
  o.rootRank = I(info, 2);
  return track(info, pg->scatter(out, in, o), keep);
}
// distSend(t, dst, tag) / distRecv(t, src, tag)
Napi::Value distSend(const Napi::CallbackInfo& info) {
  auto pg = defaultGroup();
  std::vector<at::Tensor> ts{T(info, 0)};
  return track(info, pg->send(ts, static_cast<int>(I(info, 1)), static_cast<int>(I(info, 2))), ts);
}
Napi::Value distRecv(const Napi::CallbackInfo& info) {
  auto pg = defaultGroup();
  std::vector<at::Tensor> ts{T(info, 0)};
  return track(info, pg->recv(ts, static_cast<int>(I(info, 1)), static_cast<int>(I(info, 2))), ts);
}
Napi::Value distBarrier(const Napi::CallbackInfo& info) { return track(info, defaultGroup()->barrier(), {}); }

const Binding kDistributed[] = {
    {"distInit", distInit},           {"distDestroy", distDestroy},         {"distIsInitialized", distIsInitialized},
    {"distRank", distRank},           {"distWorldSize", distWorldSize},     {"distBackend", distBackend},
    {"distWait", distWait},           {"distIsCompleted", distIsCompleted}, {"distAllReduce", distAllReduce},
    {"distBroadcast", distBroadcast}, {"distAllGather", distAllGather},     {"distReduceScatter", distReduceScatter},
    {"distGather", distGather},       {"distScatter", distScatter},         {"distSend", distSend},
    {"distRecv", distRecv},           {"distBarrier", distBarrier},
};
}  // namespace

c10::intrusive_ptr<c10d::ProcessGroup> defaultGroup() {
  if (!g_pg) throw std::runtime_error("the default process group is not initialized: call initProcessGroup first");
  return g_pg;
}

void registerDistributed(Napi::Env env, Napi::Object exports) { TL_REGISTER(env, exports, kDistributed); }

}  // namespace tl
