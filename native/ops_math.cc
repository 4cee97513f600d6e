// Pointwise math, comparisons, reductions and matrix products. Table-driven: each entry is one
// line mapping a JS name to the ATen call; the guard in core.cc turns libtorch's checks (shapes,
// dtypes, in-place on a leaf that requires grad, ...) into JS errors.
#include "op_table.h"

namespace tl {
namespace {

// A JS number as Python passes it to add/sub/mul/div: a 0-dim "wrapped number" tensor, so type
// promotion treats it as a scalar and autograd names the node as PyTorch does (MulBackward0).
at::Tensor W(CI& info, size_t i) {
  at::Tensor t = at::scalar_to_tensor(S(info, i));
  t.unsafeGetTensorImpl()->set_wrapped_number(true);
  return t;
}

// Reductions take dims as null (all), an int, or an int list.
at::OptionalIntArrayRef optDims(CI& info, size_t i, std::vector<int64_t>& storage) {
  if (isNullish(info, i)) return c10::nullopt;
  storage = IL(info, i);
  return at::IntArrayRef(storage);
}

// sum / mean: (h, dims|null, keepdim, dtype|-1)
Napi::Value sum(CI& info) {
  std::vector<int64_t> d;
  auto dims = optDims(info, 1, d);
  if (!dims) return R(info, at::sum(A, optDtype(info, 3)));
  return R(info, at::sum(A, *dims, B(info, 2), optDtype(info, 3)));
}
Napi::Value mean(CI& info) {
  std::vector<int64_t> d;
  auto dims = optDims(info, 1, d);
  if (!dims) return R(info, at::mean(A, optDtype(info, 3)));
  return R(info, at::mean(A, *dims, B(info, 2), optDtype(info, 3)));
}
// std / var: (h, dims|null, correction, keepdim)
Napi::Value stdv(CI& info) {
  std::vector<int64_t> d;
  return R(info, at::std(A, optDims(info, 1, d), optI(info, 2), B(info, 3)));
}
Napi::Value var(CI& info) {
  std::vector<int64_t> d;
  return R(info, at::var(A, optDims(info, 1, d), optI(info, 2), B(info, 3)));
}
// max / min: (h) -> tensor, or (h, dim, keepdim) -> [values, indices]
Napi::Value max(CI& info) {
  if (isNullish(info, 1)) return R(info, at::max(A));
  return RPair(info, at::max(A, I(info, 1), B(info, 2)));
}
Napi::Value min(CI& info) {
  if (isNullish(info, 1)) return R(info, at::min(A));
  return RPair(info, at::min(A, I(info, 1), B(info, 2)));
}

const Binding kMath[] = {
    // unary
    {"neg", FN(OUT(at::neg(A)))},
    {"abs", FN(OUT(at::abs(A)))},
    {"exp", FN(OUT(at::exp(A)))},
    {"log", FN(OUT(at::log(A)))},
    {"sqrt", FN(OUT(at::sqrt(A)))},
    {"rsqrt", FN(OUT(at::rsqrt(A)))},
    {"sigmoid", FN(OUT(at::sigmoid(A)))},
    {"tanh", FN(OUT(at::tanh(A)))},
    {"relu", FN(OUT(at::relu(A)))},
    {"sign", FN(OUT(at::sign(A)))},
    {"floor", FN(OUT(at::floor(A)))},
    {"ceil", FN(OUT(at::ceil(A)))},
    {"round", FN(OUT(at::round(A)))},
    {"sin", FN(OUT(at::sin(A)))},
    {"cos", FN(OUT(at::cos(A)))},
    {"square", FN(OUT(at::square(A)))},
    {"reciprocal", FN(OUT(at::reciprocal(A)))},
    {"logicalNot", FN(OUT(at::logical_not(A)))},
    {"isnan", FN(OUT(at::isnan(A)))},
    {"isfinite", FN(OUT(at::isfinite(A)))},
    {"isinf", FN(OUT(at::isinf(A)))},
    {"addcmul", FN(OUT(at::addcmul(A, Bt, T(info, 2), S(info, 3))))},
    {"addcdiv", FN(OUT(at::addcdiv(A, Bt, T(info, 2), S(info, 3))))},
    // binary: tensor-tensor ("T") and tensor-scalar ("S")
    {"addT", FN(OUT(at::add(A, Bt, S(info, 2))))},
    {"addS", FN(OUT(at::add(A, W(info, 1), S(info, 2))))},
    {"subT", FN(OUT(at::sub(A, Bt, S(info, 2))))},
    {"subS", FN(OUT(at::sub(A, W(info, 1), S(info, 2))))},
    {"rsubS", FN(OUT(at::rsub(A, S(info, 1), S(info, 2))))},
    {"mulT", FN(OUT(at::mul(A, Bt)))},
    {"mulS", FN(OUT(at::mul(A, W(info, 1))))},
    {"divT", FN(OUT(at::div(A, Bt)))},
    {"divS", FN(OUT(at::div(A, W(info, 1))))},
    {"divModeT", FN(OUT(at::div(A, Bt, Str(info, 2))))},
    {"divModeS", FN(OUT(at::div(A, S(info, 1), Str(info, 2))))},
    {"powT", FN(OUT(at::pow(A, Bt)))},
    {"powS", FN(OUT(at::pow(A, S(info, 1))))},
    {"rpowS", FN(OUT(at::pow(S(info, 1), A)))},
    {"remainderS", FN(OUT(at::remainder(A, S(info, 1))))},
    {"maximum", FN(OUT(at::maximum(A, Bt)))},
    {"minimum", FN(OUT(at::minimum(A, Bt)))},
    {"eqT", FN(OUT(at::eq(A, Bt)))},
    {"eqS", FN(OUT(at::eq(A, S(info, 1))))},
    {"neT", FN(OUT(at::ne(A, Bt)))},
    {"neS", FN(OUT(at::ne(A, S(info, 1))))},
    {"ltT", FN(OUT(at::lt(A, Bt)))},
    {"ltS", FN(OUT(at::lt(A, S(info, 1))))},
    {"leT", FN(OUT(at::le(A, Bt)))},
    {"leS", FN(OUT(at::le(A, S(info, 1))))},
    {"gtT", FN(OUT(at::gt(A, Bt)))},
    {"gtS", FN(OUT(at::gt(A, S(info, 1))))},
    {"geT", FN(OUT(at::ge(A, Bt)))},
    {"geS", FN(OUT(at::ge(A, S(info, 1))))},
    {"logicalAnd", FN(OUT(at::logical_and(A, Bt)))},
    {"logicalOr", FN(OUT(at::logical_or(A, Bt)))},
    {"equal", FN(return Napi::Boolean::New(info.Env(), at::equal(A, Bt)))},
    {"allclose", FN(return Napi::Boolean::New(info.Env(), at::allclose(A, Bt, D(info, 2), D(info, 3), B(info, 4))))},
    {"where", FN(OUT(at::where(A, Bt, T(info, 2))))},
    {"whereS", FN(OUT(at::where(A, T(info, 1), S(info, 2))))},
    {"clamp", FN(OUT(at::clamp(A, optS(info, 1), optS(info, 2))))},
    {"clampT", FN(OUT(at::clamp(A, optT(info, 1), optT(info, 2))))},
    {"lerp", FN(OUT(at::lerp(A, Bt, S(info, 2))))},
    {"lerpT", FN(OUT(at::lerp(A, Bt, T(info, 2))))},
    // reductions
    {"sum", sum},
    {"mean", mean},
    {"std", stdv},
    {"var", var},
    {"max", max},
    {"min", min},
    {"argmax", FN(OUT(at::argmax(A, optI(info, 1), B(info, 2))))},
    {"argmin", FN(OUT(at::argmin(A, optI(info, 1), B(info, 2))))},
    {"prod", FN(OUT(isNullish(info, 1) ? at::prod(A) : at::prod(A, I(info, 1), B(info, 2))))},
    {"all", FN(OUT(isNullish(info, 1) ? at::all(A) : at::all(A, I(info, 1), B(info, 2))))},
    {"any", FN(OUT(isNullish(info, 1) ? at::any(A) : at::any(A, I(info, 1), B(info, 2))))},
    {"norm", FN(std::vector<int64_t> d; OUT(isNullish(info, 2) ? at::norm(A, S(info, 1))
                                                                : at::norm(A, S(info, 1), (d = IL(info, 2)), B(info, 3))))},
    {"cumsum", FN(OUT(at::cumsum(A, I(info, 1))))},
    {"logsumexp", FN(OUT(at::logsumexp(A, IL(info, 1), B(info, 2))))},
    {"topk", FN(return RPair(info, at::topk(A, I(info, 1), I(info, 2), B(info, 3), B(info, 4))))},
    {"sort", FN(return RPair(info, at::sort(A, I(info, 1), B(info, 2))))},
    // matrix products
    {"matmul", FN(OUT(at::matmul(A, Bt)))},
    {"mm", FN(OUT(at::mm(A, Bt)))},
    {"bmm", FN(OUT(at::bmm(A, Bt)))},
    {"addmm", FN(OUT(at::addmm(A, Bt, T(info, 2), S(info, 3), S(info, 4))))},
    {"outer", FN(OUT(at::outer(A, Bt)))},
    // in place: each returns its first argument's handle (the JS layer returns `this`)
    {"addT_", FN(INPLACE(A.add_(Bt, S(info, 2))))},
    {"addS_", FN(INPLACE(A.add_(W(info, 1), S(info, 2))))},
    {"subT_", FN(INPLACE(A.sub_(Bt, S(info, 2))))},
    {"subS_", FN(INPLACE(A.sub_(W(info, 1), S(info, 2))))},
    {"mulT_", FN(INPLACE(A.mul_(Bt)))},
    {"mulS_", FN(INPLACE(A.mul_(W(info, 1))))},
    {"divT_", FN(INPLACE(A.div_(Bt)))},
    {"divS_", FN(INPLACE(A.div_(W(info, 1))))},
    {"powS_", FN(INPLACE(A.pow_(S(info, 1))))},
    {"addcmul_", FN(INPLACE(A.addcmul_(Bt, T(info, 2), S(info, 3))))},
    {"addcdiv_", FN(INPLACE(A.addcdiv_(Bt, T(info, 2), S(info, 3))))},
    {"lerpS_", FN(INPLACE(A.lerp_(Bt, S(info, 2))))},
    {"lerpT_", FN(INPLACE(A.lerp_(Bt, T(info, 2))))},
    {"zero_", FN(INPLACE(A.zero_()))},
    {"fillS_", FN(INPLACE(A.fill_(S(info, 1))))},
    {"copy_", FN(INPLACE(A.copy_(Bt)))},
    {"clamp_", FN(INPLACE(A.clamp_(optS(info, 1), optS(info, 2))))},
    {"relu_", FN(INPLACE(A.relu_()))},
    {"neg_", FN(INPLACE(A.neg_()))},
    {"sqrt_", FN(INPLACE(A.sqrt_()))},
    {"exp_", FN(INPLACE(A.exp_()))},
    {"maximumT_", FN(INPLACE(at::maximum_out(A, A, Bt)))},
    {"maskedFillS_", FN(INPLACE(A.masked_fill_(Bt, S(info, 2))))},
    {"maskedFillT_", FN(INPLACE(A.masked_fill_(Bt, T(info, 2))))},
};
}  // namespace

void registerMath(Napi::Env env, Napi::Object exports) { TL_REGISTER(env, exports, kMath); }

}  // namespace tl
