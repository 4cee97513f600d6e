// Argument readers and result writers of the generated ATen bindings (see aten_args.h).
#include "aten_args.h"

#include <cmath>

namespace tl::gen {
namespace {
std::string at(size_t i) { return "argument " + std::to_string(i); }
bool nullish(CI& info, size_t i) { return i >= info.Length() || info[i].IsNull() || info[i].IsUndefined(); }
Napi::Value argv(CI& info, size_t i) {
  if (i >= info.Length()) throw ArgTypeError(at(i) + ": missing");
  return info[i];
}
int64_t toInt(const Napi::Value& v, size_t i) {
  if (!v.IsNumber()) throw ArgTypeError(at(i) + ": expected an integer");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d) || d != std::floor(d) || std::fabs(d) > 9007199254740991.0)
    throw ArgTypeError(at(i) + ": expected an integer, got " + std::to_string(d));
  return static_cast<int64_t>(d);
}
at::Scalar toScalar(const Napi::Value& v, size_t i) {
  if (v.IsBoolean()) return at::Scalar(v.As<Napi::Boolean>().Value());
  if (!v.IsNumber()) throw ArgTypeError(at(i) + ": expected a number or boolean");
  double d = v.As<Napi::Number>().DoubleValue();
  // an integer-valued number is a Python int (int tensors stay int), anything else a float
  if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) <= 9007199254740991.0)
    return at::Scalar(static_cast<int64_t>(d));
  return at::Scalar(d);
}
// ScalarType / Layout / MemoryFormat arrive as their c10 enum codes (the TS side maps names).
int64_t enumCode(CI& info, size_t i, int64_t limit) {
  int64_t c = toInt(argv(info, i), i);
  if (c < 0 || c >= limit) throw ArgTypeError(at(i) + ": unknown enum code " + std::to_string(c));
  return c;
}
}  // namespace

at::Tensor& rTm(CI& info, size_t i) { return get(argv(info, i)); }
// Handles are numbers, so the TS side boxes a JS number meant as a Tensor: [value].
at::Tensor rT(CI& info, size_t i) {
  Napi::Value v = argv(info, i);
  if (v.IsArray()) {
    Napi::Array a = v.As<Napi::Array>();
    if (a.Length() != 1) throw ArgTypeError(at(i) + ": expected a Tensor");
    at::Tensor t = at::scalar_to_tensor(toScalar(a.Get(0u), i));
    t.unsafeGetTensorImpl()->set_wrapped_number(true);
    return t;
  }
  return get(v);
}
c10::optional<at::Tensor> rTo(CI& info, size_t i) {
  if (nullish(info, i)) return c10::nullopt;
  return rT(info, i);
}
std::vector<at::Tensor> rTL(CI& info, size_t i) {
  Napi::Value v = argv(info, i);
  if (!v.IsArray()) throw ArgTypeError(at(i) + ": expected an array of Tensors");
  Napi::Array a = v.As<Napi::Array>();
  std::vector<at::Tensor> out;
  out.reserve(a.Length());
  for (uint32_t k = 0; k < a.Length(); k++) out.push_back(get(a.Get(k)));
  return out;
}
c10::List<c10::optional<at::Tensor>> rTLo(CI& info, size_t i) {
  Napi::Value v = argv(info, i);
  if (!v.IsArray()) throw ArgTypeError(at(i) + ": expected an array of Tensors or nulls");
  Napi::Array a = v.As<Napi::Array>();
  c10::List<c10::optional<at::Tensor>> out;
  for (uint32_t k = 0; k < a.Length(); k++) {
    Napi::Value e = a.Get(k);
    out.push_back(e.IsNull() || e.IsUndefined() ? c10::optional<at::Tensor>() : c10::optional<at::Tensor>(get(e)));
  }
  return out;
}
at::Scalar rS(CI& info, size_t i) { return toScalar(argv(info, i), i); }
c10::optional<at::Scalar> rSo(CI& info, size_t i) {
  if (nullish(info, i)) return c10::nullopt;
  return rS(info, i);
}
int64_t rI(CI& info, size_t i) { return toInt(argv(info, i), i); }
c10::optional<int64_t> rIo(CI& info, size_t i) {
  if (nullish(info, i)) return c10::nullopt;
  return rI(info, i);
}
c10::SymInt rSI(CI& info, size_t i) {
  int64_t v = rI(info, i);
  TORCH_CHECK(c10::SymInt::check_range(v), at(i), ": ", v, " is out of range");
  return c10::SymInt(v);
}
c10::optional<c10::SymInt> rSIo(CI& info, size_t i) {
  if (nullish(info, i)) return c10::nullopt;
  return rSI(info, i);
}
double rF(CI& info, size_t i) {
  Napi::Value v = argv(info, i);
  if (!v.IsNumber()) throw ArgTypeError(at(i) + ": expected a number");
  return v.As<Napi::Number>().DoubleValue();
}
c10::optional<double> rFo(CI& info, size_t i) {
  if (nullish(info, i)) return c10::nullopt;
  return rF(info, i);
}
bool rB(CI& info, size_t i) {
  Napi::Value v = argv(info, i);
  if (!v.IsBoolean()) throw ArgTypeError(at(i) + ": expected a boolean");
  return v.As<Napi::Boolean>().Value();
}
c10::optional<bool> rBo(CI& info, size_t i) {
  if (nullish(info, i)) return c10::nullopt;
  return rB(info, i);
}
std::string rStr(CI& info, size_t i) {
  Napi::Value v = argv(info, i);
  if (!v.IsString()) throw ArgTypeError(at(i) + ": expected a string");
  return v.As<Napi::String>().Utf8Value();
}
OptStr rStro(CI& info, size_t i) {
  if (nullish(info, i)) return {};
  return {rStr(info, i)};
}
at::ScalarType rDT(CI& info, size_t i) {
  return static_cast<at::ScalarType>(enumCode(info, i, static_cast<int64_t>(at::ScalarType::NumOptions)));
}
c10::optional<at::ScalarType> rDTo(CI& info, size_t i) {
  if (nullish(info, i)) return c10::nullopt;
  return rDT(info, i);
}
at::Layout rLay(CI& info, size_t i) {
  return static_cast<at::Layout>(enumCode(info, i, static_cast<int64_t>(at::Layout::NumOptions)));
}
c10::optional<at::Layout> rLayo(CI& info, size_t i) {
  if (nullish(info, i)) return c10::nullopt;
  return rLay(info, i);
}
at::Device rDev(CI& info, size_t i) {
  at::Device d(rStr(info, i));  // c10 parses and validates ("cpu", "cuda", "cuda:1")
  TORCH_CHECK(!d.is_cuda() || at::hasCUDA(), "CUDA is not available in this libtorch build");
  return d;
}
c10::optional<at::Device> rDevo(CI& info, size_t i) {
  if (nullish(info, i)) return c10::nullopt;
  return rDev(info, i);
}
at::MemoryFormat rMF(CI& info, size_t i) {
  return static_cast<at::MemoryFormat>(enumCode(info, i, static_cast<int64_t>(at::MemoryFormat::NumOptions)));
}
c10::optional<at::MemoryFormat> rMFo(CI& info, size_t i) {
  if (nullish(info, i)) return c10::nullopt;
  return rMF(info, i);
}
std::vector<bool> rBL(CI& info, size_t i, size_t n) {
  Napi::Value v = argv(info, i);
  if (!v.IsArray() || v.As<Napi::Array>().Length() != n)
    throw ArgTypeError(at(i) + ": expected an array of " + std::to_string(n) + " booleans");
  Napi::Array a = v.As<Napi::Array>();
  std::vector<bool> out(n);
  for (uint32_t k = 0; k < n; k++) {
    Napi::Value e = a.Get(k);
    if (!e.IsBoolean()) throw ArgTypeError(at(i) + ": expected an array of booleans");
    out[k] = e.As<Napi::Boolean>().Value();
  }
  return out;
}
IntList rIL(CI& info, size_t i, size_t size) {
  Napi::Value v = argv(info, i);
  IntList out;
  if (v.IsNumber()) {
    out.v.assign(size ? size : 1, toInt(v, i));
    return out;
  }
  if (!v.IsArray()) throw ArgTypeError(at(i) + ": expected an integer or an array of integers");
  Napi::Array a = v.As<Napi::Array>();
  out.v.reserve(a.Length());
  for (uint32_t k = 0; k < a.Length(); k++) out.v.push_back(toInt(a.Get(k), i));
  return out;
}
OptIntList rILo(CI& info, size_t i, size_t size) {
  if (nullish(info, i)) return {};
  return {rIL(info, i, size).v};
}
OptFloatList rFLo(CI& info, size_t i) {
  if (nullish(info, i)) return {};
  Napi::Value v = info[i];
  if (!v.IsArray()) throw ArgTypeError(at(i) + ": expected an array of numbers");
  Napi::Array a = v.As<Napi::Array>();
  std::vector<double> out;
  for (uint32_t k = 0; k < a.Length(); k++) {
    Napi::Value e = a.Get(k);
    if (!e.IsNumber()) throw ArgTypeError(at(i) + ": expected an array of numbers");
    out.push_back(e.As<Napi::Number>().DoubleValue());
  }
  return {out};
}

Napi::Value toJs(CI& info, const at::Tensor& t) { return put(info.Env(), t); }
Napi::Value toJs(CI& info, const std::vector<at::Tensor>& ts) { return RList(info, ts); }
Napi::Value toJs(CI& info, double d) { return Napi::Number::New(info.Env(), d); }
Napi::Value toJs(CI& info, int64_t d) { return Napi::Number::New(info.Env(), static_cast<double>(d)); }
Napi::Value toJs(CI& info, bool b) { return Napi::Boolean::New(info.Env(), b); }
Napi::Value toJs(CI& info, const at::Scalar& s) {
  if (s.isBoolean()) return Napi::Boolean::New(info.Env(), s.toBool());
  if (s.isComplex()) throw ArgTypeError("complex results are not supported");
  return Napi::Number::New(info.Env(), s.toDouble());
}
Napi::Value toJs(CI& info, at::ScalarType t) { return Napi::Number::New(info.Env(), static_cast<int>(t)); }
Napi::Value toJs(CI& info, const c10::SymInt& s) {
  return Napi::Number::New(info.Env(), static_cast<double>(s.expect_int()));
}
Napi::Value toJs(CI& info, const std::vector<int64_t>& v) {
  Napi::Array a = Napi::Array::New(info.Env(), v.size());
  for (size_t k = 0; k < v.size(); k++) a.Set(static_cast<uint32_t>(k), static_cast<double>(v[k]));
  return a;
}

}  // namespace tl::gen
