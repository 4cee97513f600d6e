// Argument readers and result writers for the generated ATen bindings (native/generated/*.cc).
//
// One reader per schema type keeps each generated binding to a single line: read every argument
// by position, call at::_ops::<op>::call (the dispatcher entry, out of line in libtorch, so a
// binding costs one call and no template instantiation), write the result. The TS dispatcher
// (src/tensor/aten-runtime.ts) has already matched the call to the overload and filled PyTorch's
// defaults; these readers still check every value, so a direct call cannot crash either.
#pragma once
#include "common.h"

#include <array>

namespace tl::gen {
using CI = const Napi::CallbackInfo;

at::Tensor& rTm(CI& info, size_t i);  // a Tensor written in place (self of an `op_`)
at::Tensor rT(CI& info, size_t i);    // a Tensor, or a JS number as a wrapped scalar (as Python does)
c10::optional<at::Tensor> rTo(CI& info, size_t i);
std::vector<at::Tensor> rTL(CI& info, size_t i);
c10::List<c10::optional<at::Tensor>> rTLo(CI& info, size_t i);
at::Scalar rS(CI& info, size_t i);
c10::optional<at::Scalar> rSo(CI& info, size_t i);
int64_t rI(CI& info, size_t i);
c10::optional<int64_t> rIo(CI& info, size_t i);
c10::SymInt rSI(CI& info, size_t i);
c10::optional<c10::SymInt> rSIo(CI& info, size_t i);
double rF(CI& info, size_t i);
c10::optional<double> rFo(CI& info, size_t i);
bool rB(CI& info, size_t i);
c10::optional<bool> rBo(CI& info, size_t i);
std::string rStr(CI& info, size_t i);
at::ScalarType rDT(CI& info, size_t i);
c10::optional<at::ScalarType> rDTo(CI& info, size_t i);
at::Layout rLay(CI& info, size_t i);
c10::optional<at::Layout> rLayo(CI& info, size_t i);
at::Device rDev(CI& info, size_t i);
c10::optional<at::Device> rDevo(CI& info, size_t i);
at::MemoryFormat rMF(CI& info, size_t i);
c10::optional<at::MemoryFormat> rMFo(CI& info, size_t i);
std::vector<bool> rBL(CI& info, size_t i, size_t n);

// Lists own their storage and convert to the view types ATen takes (valid for the whole call).
struct IntList {
  std::vector<int64_t> v;
  operator at::IntArrayRef() const { return v; }
  operator c10::SymIntArrayRef() const { return c10::fromIntArrayRef(v); }
};
struct OptIntList {
  c10::optional<std::vector<int64_t>> v;
  operator at::OptionalIntArrayRef() const { return v ? at::OptionalIntArrayRef(*v) : c10::nullopt; }
  operator at::OptionalSymIntArrayRef() const {
    return v ? at::OptionalSymIntArrayRef(c10::fromIntArrayRef(*v)) : c10::nullopt;
  }
};
struct OptFloatList {
  c10::optional<std::vector<double>> v;
  operator c10::optional<at::ArrayRef<double>>() const {
    return v ? c10::optional<at::ArrayRef<double>>(at::ArrayRef<double>(*v)) : c10::nullopt;
  }
};
struct OptStr {
  c10::optional<std::string> v;
  operator c10::optional<c10::string_view>() const {
    return v ? c10::optional<c10::string_view>(c10::string_view(*v)) : c10::nullopt;
  }
};
// `size` is the schema's fixed length (int[2]): one number stands for all of them, as in Python.
IntList rIL(CI& info, size_t i, size_t size);
OptIntList rILo(CI& info, size_t i, size_t size);
OptFloatList rFLo(CI& info, size_t i);
OptStr rStro(CI& info, size_t i);
template <size_t N>
std::array<bool, N> rBA(CI& info, size_t i) {
  std::vector<bool> v = rBL(info, i, N);
  std::array<bool, N> out{};
  for (size_t k = 0; k < N; k++) out[k] = v[k];
  return out;
}

// ---- results ------------------------------------------------------------------------------------
Napi::Value toJs(CI& info, const at::Tensor& t);
Napi::Value toJs(CI& info, const std::vector<at::Tensor>& ts);
Napi::Value toJs(CI& info, double d);
Napi::Value toJs(CI& info, int64_t d);
Napi::Value toJs(CI& info, bool b);
Napi::Value toJs(CI& info, const at::Scalar& s);
Napi::Value toJs(CI& info, at::ScalarType t);
Napi::Value toJs(CI& info, const c10::SymInt& s);
Napi::Value toJs(CI& info, const std::vector<int64_t>& v);
template <class... Ts>
Napi::Value toJs(CI& info, const std::tuple<Ts...>& t) {
  Napi::Array a = Napi::Array::New(info.Env(), sizeof...(Ts));
  uint32_t k = 0;
  std::apply([&](const auto&... x) { ((a.Set(k++, toJs(info, x))), ...); }, t);
  return a;
}

// Each generated unit registers its table under exports.aten (see registerNamed in common.h).
void registerAten0(Napi::Env env, Napi::Object aten);
void registerAten1(Napi::Env env, Napi::Object aten);
void registerAten2(Napi::Env env, Napi::Object aten);
void registerAten3(Napi::Env env, Napi::Object aten);

}  // namespace tl::gen
