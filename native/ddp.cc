// DistributedDataParallel's native half: c10d::Reducer, the same gradient bucketing PyTorch's DDP
// runs (autograd hooks on each parameter's AccumulateGrad; a bucket is all-reduced as soon as its
// gradients are ready, while backward goes on; the last one is awaited at the end of backward).
//
// Why the Reducer and not our own buckets on hooks: it is PyTorch's code, so bucket order, the
// first small bucket, the rebuild after the first iteration, unused-parameter detection and the
// division by the world size are PyTorch's, and its all-reduce time is PyTorch's by construction.
// It hooks into libtorch's autograd engine, which JS hooks could only reach with a round trip per
// parameter.
//
// These calls block the calling thread, as PyTorch's do: wrapping (verify + broadcast) is a
// constructor, and the Reducer waits for its last bucket inside backward(), which is itself a
// synchronous call here. The plain collectives (distributed.cc) never block.
#include "distributed.h"

#include <torch/csrc/distributed/c10d/comm.hpp>
#include <torch/csrc/distributed/c10d/reducer.hpp>

#include <map>
#include <memory>

namespace tl {
namespace {
std::map<double, std::shared_ptr<c10d::Reducer>>& g_reducers = *new std::map<double, std::shared_ptr<c10d::Reducer>>();
double g_nextReducer = 1;

c10d::Reducer& reducer(const Napi::CallbackInfo& info) {
  auto it = g_reducers.find(D(info, 0));
  if (it == g_reducers.end()) throw ArgTypeError("DistributedDataParallel: this wrapper has been destroyed");
  return *it->second;
}

// ddpVerifyParams(params[]): every rank has as many parameters, of the same shapes and strides
// (c10d's own check: an all-gather of the metadata, so a mismatch is an error on every rank).
Napi::Value ddpVerifyParams(const Napi::CallbackInfo& info) {
  std::vector<at::Tensor> params = TL(info, 0);
  if (params.empty()) throw ArgRangeError("DistributedDataParallel: no parameters to verify");  // c10d reads params[0]
  c10d::verify_params_across_processes(defaultGroup(), params, c10::nullopt);
  return info.Env().Undefined();
}

// ddpAllGather(t) -> every rank's t, in rank order (the check before wrapping: a blocking
// all-gather, so that every rank sees every other's model signature and fails alike).
Napi::Value ddpAllGather(const Napi::CallbackInfo& info) {
  auto pg = defaultGroup();
  std::vector<at::Tensor> in{T(info, 0).contiguous()};
  std::vector<std::vector<at::Tensor>> out(1);
  for (int r = 0; r < pg->getSize(); r++) out[0].push_back(at::empty_like(in[0]));
  pg->allgather(out, in)->wait();
  return RList(info, out[0]);
}

// ddpBroadcast(tensors[], bufferBytes, src): rank src's values into every rank's tensors, in
// coalesced buckets (DDP's _sync_module_states and _sync_buffers).
Napi::Value ddpBroadcast(const Napi::CallbackInfo& info) {
  std::vector<at::Tensor> ts = TL(info, 0);
  if (ts.empty()) return info.Env().Undefined();
  at::NoGradGuard noGrad;  // parameters are leaves that require grad: copy into them as data
  c10d::broadcast_coalesced(defaultGroup(), ts, static_cast<size_t>(I(info, 1)), static_cast<int>(I(info, 2)));
  return info.Env().Undefined();
}

// ddpCreate(params[], names[], bucketCapBytes, findUnused) -> id. Buckets as DDP.__init__ makes
// them: by size with a 1 MiB first bucket, in reverse order (gradients arrive last layer first).
Napi::Value ddpCreate(const Napi::CallbackInfo& info) {
  std::vector<at::Tensor> params = TL(info, 0);
  if (!info[1].IsArray()) throw ArgTypeError("ddpCreate: expected parameter names");
  Napi::Array names = info[1].As<Napi::Array>();
  int64_t cap = I(info, 2);
  bool findUnused = B(info, 3);
  if (params.empty()) throw ArgRangeError("DistributedDataParallel: the module has no parameter that requires grad");
  std::unordered_map<size_t, std::string> paramNames;
  for (uint32_t k = 0; k < names.Length() && k < params.size(); k++) paramNames[k] = names.Get(k).ToString().Utf8Value();
  std::vector<bool> sparse(params.size(), false);
  auto [indices, limits] = c10d::compute_bucket_assignment_by_size(
      params, {static_cast<size_t>(c10d::kDefaultFirstBucketBytes), static_cast<size_t>(cap)}, sparse, {}, c10::nullopt);
  std::reverse(indices.begin(), indices.end());
  std::reverse(limits.begin(), limits.end());
  auto r = std::make_shared<c10d::Reducer>(params, indices, limits, defaultGroup(), sparse, cap, findUnused,
                                           /*gradient_as_bucket_view=*/false, paramNames,
                                           static_cast<int64_t>(c10d::kDefaultFirstBucketBytes));
  double id = g_nextReducer++;
  g_reducers[id] = r;
  Napi::Object out = Napi::Object::New(info.Env());
  out.Set("id", id);
  out.Set("buckets", static_cast<double>(indices.size()));
  return out;
}

// ddpPreForward(id) -> whether the buckets were rebuilt (once, after the first iteration, in the
// order gradients became ready: a broadcast from rank 0 keeps every rank's order the same).
Napi::Value ddpPreForward(const Napi::CallbackInfo& info) {
  c10d::Reducer& r = reducer(info);
  r.prepare_for_forward();
  return Napi::Boolean::New(info.Env(), r.rebuild_buckets());
}
// ddpPrepareBackward(id, outputs[]): arms the hooks for the coming backward. With
// findUnusedParameters, outputs are where the graph is walked from to find unused parameters.
Napi::Value ddpPrepareBackward(const Napi::CallbackInfo& info) {
  reducer(info).prepare_for_backward(TL(info, 1));
  return info.Env().Undefined();
}
Napi::Value ddpDestroy(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), g_reducers.erase(D(info, 0)) > 0);
}

const Binding kDdp[] = {
    {"ddpVerifyParams", ddpVerifyParams}, {"ddpBroadcast", ddpBroadcast}, {"ddpAllGather", ddpAllGather},
    {"ddpCreate", ddpCreate},             {"ddpPreForward", ddpPreForward},
    {"ddpPrepareBackward", ddpPrepareBackward}, {"ddpDestroy", ddpDestroy},
};
}  // namespace

void registerDdp(Napi::Env env, Napi::Object exports) { TL_REGISTER(env, exports, kDdp); }

}  // namespace tl
