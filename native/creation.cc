// Creation ops. Options are always (dtype code | -1, device string | null, requiresGrad) at the end.
#include "common.h"

namespace tl {
namespace {

std::vector<int64_t> checkedShape(const Napi::CallbackInfo& info, size_t i) {
  std::vector<int64_t> s = IL(info, i);
  for (int64_t d : s)
    if (d < 0) throw ArgRangeError("size: negative dimension " + std::to_string(d) + " in " + c10::str(c10::IntArrayRef(s)));
  return s;
}

Napi::Value zeros(const Napi::CallbackInfo& info) { return RG(info, at::zeros(checkedShape(info, 0), Opts(info, 1, at::kFloat)), 1); }
Napi::Value ones(const Napi::CallbackInfo& info) { return RG(info, at::ones(checkedShape(info, 0), Opts(info, 1, at::kFloat)), 1); }
Napi::Value empty(const Napi::CallbackInfo& info) { return RG(info, at::empty(checkedShape(info, 0), Opts(info, 1, at::kFloat)), 1); }
Napi::Value rand(const Napi::CallbackInfo& info) { return RG(info, at::rand(checkedShape(info, 0), Opts(info, 1, at::kFloat)), 1); }
Napi::Value randn(const Napi::CallbackInfo& info) { return RG(info, at::randn(checkedShape(info, 0), Opts(info, 1, at::kFloat)), 1); }
// full(shape, value, dtype, device, rg): the JS layer decides the default dtype.
Napi::Value full(const Napi::CallbackInfo& info) {
  return RG(info, at::full(checkedShape(info, 0), S(info, 1), Opts(info, 2, at::kFloat)), 2);
}
// arange(start, end, step, ...): with no dtype, libtorch infers it from the scalars (ints -> int64).
Napi::Value arange(const Napi::CallbackInfo& info) {
  auto dt = optDtype(info, 3);
  at::TensorOptions o = at::TensorOptions().device(Dev(info, 4));
  if (dt) o = o.dtype(*dt);
  return RG(info, at::arange(S(info, 0), S(info, 1), S(info, 2), o), 3);
}
Napi::Value linspace(const Napi::CallbackInfo& info) {
  int64_t steps = I(info, 2);
  if (steps < 0) throw ArgRangeError("linspace: steps must be non-negative, got " + std::to_string(steps));
  return RG(info, at::linspace(S(info, 0), S(info, 1), steps, Opts(info, 3, at::kFloat)), 3);
}
Napi::Value randint(const Napi::CallbackInfo& info) {
  return RG(info, at::randint(I(info, 0), I(info, 1), checkedShape(info, 2), Opts(info, 3, at::kLong)), 3);
}
Napi::Value randperm(const Napi::CallbackInfo& info) {
  int64_t n = I(info, 0);
  if (n < 0) throw ArgRangeError("randperm: n must be non-negative, got " + std::to_string(n));
  return RG(info, at::randperm(n, Opts(info, 1, at::kLong)), 1);
}
Napi::Value eye(const Napi::CallbackInfo& info) {
  int64_t n = I(info, 0), m = isNullish(info, 1) ? n : I(info, 1);
  if (n < 0 || m < 0) throw ArgRangeError("eye: sizes must be non-negative");
  return RG(info, at::eye(n, m, Opts(info, 2, at::kFloat)), 2);
}
// *Like(h, dtype, device, rg): options default to the source tensor's.
at::TensorOptions likeOpts(const Napi::CallbackInfo& info, const at::Tensor& src) {
  auto dt = optDtype(info, 1);
  at::TensorOptions o = src.options().dtype(dt ? *dt : src.scalar_type());
  if (!isNullish(info, 2)) o = o.device(Dev(info, 2));
  return o;
}
Napi::Value zerosLike(const Napi::CallbackInfo& info) { auto& s = T(info, 0); return RG(info, at::zeros_like(s, likeOpts(info, s)), 1); }
Napi::Value onesLike(const Napi::CallbackInfo& info) { auto& s = T(info, 0); return RG(info, at::ones_like(s, likeOpts(info, s)), 1); }
Napi::Value emptyLike(const Napi::CallbackInfo& info) { auto& s = T(info, 0); return RG(info, at::empty_like(s, likeOpts(info, s)), 1); }
Napi::Value randLike(const Napi::CallbackInfo& info) { auto& s = T(info, 0); return RG(info, at::rand_like(s, likeOpts(info, s)), 1); }
Napi::Value randnLike(const Napi::CallbackInfo& info) { auto& s = T(info, 0); return RG(info, at::randn_like(s, likeOpts(info, s)), 1); }
// fullLike(h, value, dtype, device, rg)
Napi::Value fullLike(const Napi::CallbackInfo& info) {
  auto& s = T(info, 0);
  auto dt = optDtype(info, 2);
  at::TensorOptions o = s.options().dtype(dt ? *dt : s.scalar_type());
  if (!isNullish(info, 3)) o = o.device(Dev(info, 3));
  return RG(info, at::full_like(s, S(info, 1), o), 2);
}
Napi::Value scalarTensor(const Napi::CallbackInfo& info) {
  return RG(info, at::scalar_tensor(S(info, 0), Opts(info, 1, at::kFloat)), 1);
}

// In-place random fills used by nn.init (they draw from the same generator as PyTorch's).
Napi::Value uniform_(const Napi::CallbackInfo& info) { T(info, 0).uniform_(D(info, 1), D(info, 2)); return info[0]; }
Napi::Value normal_(const Napi::CallbackInfo& info) { T(info, 0).normal_(D(info, 1), D(info, 2)); return info[0]; }
Napi::Value bernoulli_(const Napi::CallbackInfo& info) { T(info, 0).bernoulli_(D(info, 1)); return info[0]; }
Napi::Value random_(const Napi::CallbackInfo& info) { T(info, 0).random_(I(info, 1), I(info, 2)); return info[0]; }
Napi::Value multinomial(const Napi::CallbackInfo& info) {
  return R(info, at::multinomial(T(info, 0), I(info, 1), B(info, 2)));
}

const Binding kCreation[] = {
    {"zeros", zeros},         {"ones", ones},         {"empty", empty},
    {"rand", rand},           {"randn", randn},       {"full", full},
    {"arange", arange},       {"linspace", linspace}, {"randint", randint},
    {"randperm", randperm},   {"eye", eye},           {"zerosLike", zerosLike},
    {"onesLike", onesLike},   {"emptyLike", emptyLike}, {"randLike", randLike},
    {"randnLike", randnLike}, {"fullLike", fullLike}, {"scalarTensor", scalarTensor},
    {"uniform_", uniform_},   {"normal_", normal_},   {"bernoulli_", bernoulli_},
    {"random_", random_},     {"multinomial", multinomial},
};
}  // namespace

void registerCreation(Napi::Env env, Napi::Object exports) { TL_REGISTER(env, exports, kCreation); }

}  // namespace tl
