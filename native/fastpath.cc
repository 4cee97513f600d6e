// The fast paths' bindings: inference mode (evaluation without autograd bookkeeping) and
// multi-tensor ("foreach") ops for the optimizers: one call updates every parameter, as PyTorch's
// foreach=True optimizers do with torch._foreach_*. The generator (scripts/gen-ops) skips ATen's
// underscore ops, so the ones the optimizers need are bound here by hand. On CPU libtorch 1.13 runs
// them as a loop of the single-tensor kernels (the same arithmetic, bit for bit); the gain is one
// Node-API call and one JS→C++ crossing per update op instead of one per parameter.
#include "common.h"

#include <c10/core/InferenceMode.h>

#include <memory>
#include <vector>

namespace tl {
namespace {

// torch.inference_mode: c10::InferenceMode is an RAII guard (grad mode off, no version counters
// or view tracking: less bookkeeping than no_grad). JS has no scope destructors, so the guards
// live on a stack here: inferenceModeEnter pushes one, inferenceModeExit pops it (restoring the
// previous state); the TS side pairs them in try/finally around a synchronous callback.
std::vector<std::unique_ptr<c10::InferenceMode>>& inferenceGuards() {
  static std::vector<std::unique_ptr<c10::InferenceMode>> guards;
  return guards;
}
Napi::Value inferenceModeEnter(const Napi::CallbackInfo& info) {
  inferenceGuards().push_back(std::make_unique<c10::InferenceMode>(B(info, 0)));
  return Napi::Number::New(info.Env(), static_cast<double>(inferenceGuards().size()));
}
Napi::Value inferenceModeExit(const Napi::CallbackInfo& info) {
  auto& g = inferenceGuards();
  if (g.empty()) throw ArgTypeError("inferenceModeExit: no inference mode region is open");
  g.pop_back();
  return info.Env().Undefined();
}
Napi::Value isInferenceModeEnabled(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), c10::InferenceMode::is_enabled());
}
Napi::Value isInference(const Napi::CallbackInfo& info) {
  return Napi::Boolean::New(info.Env(), T(info, 0).is_inference());
}

// Every list of a call must be as long as the first (a clear error instead of ATen's check).
std::vector<at::Tensor> sameLength(const Napi::CallbackInfo& info, size_t i, size_t n) {
  auto l = TL(info, i);
  if (l.size() != n) throw ArgRangeError("foreach: tensor lists of different lengths (" + std::to_string(n) + " and " + std::to_string(l.size()) + ")");
  return l;
}
std::vector<at::Scalar> scalars(const Napi::CallbackInfo& info, size_t i, size_t n) {
  if (!info[i].IsArray()) throw ArgTypeError("foreach: argument " + std::to_string(i) + ": expected an array of numbers");
  Napi::Array a = info[i].As<Napi::Array>();
  if (a.Length() != n) throw ArgRangeError("foreach: " + std::to_string(a.Length()) + " scalars for " + std::to_string(n) + " tensors");
  std::vector<at::Scalar> out;
  out.reserve(n);
  for (uint32_t k = 0; k < n; k++) {
    Napi::Value v = a.Get(k);
    if (!v.IsNumber()) throw ArgTypeError("foreach: scalars must be numbers");
    out.emplace_back(v.As<Napi::Number>().DoubleValue());
  }
  return out;
}

// foreachMul_(self[], scalar): self[i] *= scalar
Napi::Value foreachMul_(const Napi::CallbackInfo& info) {
  at::_foreach_mul_(TL(info, 0), S(info, 1));
  return info.Env().Undefined();
}
// foreachAdd_(self[], other[], alpha): self[i] += alpha * other[i]
Napi::Value foreachAdd_(const Napi::CallbackInfo& info) {
  auto self = TL(info, 0);
  at::_foreach_add_(self, sameLength(info, 1, self.size()), S(info, 2));
  return info.Env().Undefined();
}
// foreachAddScalar(self[], scalar) -> new list: self[i] + scalar
Napi::Value foreachAddScalar(const Napi::CallbackInfo& info) {
  return RList(info, at::_foreach_add(TL(info, 0), S(info, 1)));
}
// foreachAddcmul_(self[], t1[], t2[], value): self[i] += value * t1[i] * t2[i]
Napi::Value foreachAddcmul_(const Napi::CallbackInfo& info) {
  auto self = TL(info, 0);
  at::_foreach_addcmul_(self, sameLength(info, 1, self.size()), sameLength(info, 2, self.size()), S(info, 3));
  return info.Env().Undefined();
}
// foreachAddcdiv_(self[], t1[], t2[], values[]): self[i] += values[i] * t1[i] / t2[i]
Napi::Value foreachAddcdiv_(const Napi::CallbackInfo& info) {
  auto self = TL(info, 0);
  at::_foreach_addcdiv_(self, sameLength(info, 1, self.size()), sameLength(info, 2, self.size()), scalars(info, 3, self.size()));
  return info.Env().Undefined();
}
// foreachSqrt(self[]) -> new list
Napi::Value foreachSqrt(const Napi::CallbackInfo& info) { return RList(info, at::_foreach_sqrt(TL(info, 0))); }
// foreachDiv_(self[], values[]): self[i] /= values[i]
Napi::Value foreachDiv_(const Napi::CallbackInfo& info) {
  auto self = TL(info, 0);
  at::_foreach_div_(self, scalars(info, 1, self.size()));
  return info.Env().Undefined();
}

const Binding kForeach[] = {
    {"inferenceModeEnter", inferenceModeEnter}, {"inferenceModeExit", inferenceModeExit},
    {"isInferenceModeEnabled", isInferenceModeEnabled}, {"isInference", isInference},
    {"foreachMul_", foreachMul_},         {"foreachAdd_", foreachAdd_},   {"foreachAddScalar", foreachAddScalar},
    {"foreachAddcmul_", foreachAddcmul_}, {"foreachAddcdiv_", foreachAddcdiv_},
    {"foreachSqrt", foreachSqrt},         {"foreachDiv_", foreachDiv_},
};
}  // namespace

void registerForeach(Napi::Env env, Napi::Object exports) { TL_REGISTER(env, exports, kForeach); }
}  // namespace tl
