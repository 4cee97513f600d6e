// Tensor metadata, data in and out of JS, conversions, and autograd.
#include "common.h"

#include <torch/csrc/autograd/function.h>

#include <cstring>
#include <mutex>

namespace tl {
namespace {

// ---- metadata ---------------------------------------------------------------------------------
Napi::Value shape(const Napi::CallbackInfo& info) {
  auto sizes = T(info, 0).sizes();
  Napi::Array a = Napi::Array::New(info.Env(), sizes.size());
  for (size_t k = 0; k < sizes.size(); k++) a.Set(static_cast<uint32_t>(k), static_cast<double>(sizes[k]));
  return a;
}
Napi::Value stride(const Napi::CallbackInfo& info) {
  auto st = T(info, 0).strides();
  Napi::Array a = Napi::Array::New(info.Env(), st.size());
  for (size_t k = 0; k < st.size(); k++) a.Set(static_cast<uint32_t>(k), static_cast<double>(st[k]));
  return a;
}
Napi::Value dtype(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), static_cast<int>(T(info, 0).scalar_type()));
}
Napi::Value device(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), T(info, 0).device().str()); }
Napi::Value isContiguous(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), T(info, 0).is_contiguous()); }
Napi::Value requiresGrad(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), T(info, 0).requires_grad()); }
Napi::Value isLeaf(const Napi::CallbackInfo& info) { return Napi::Boolean::New(info.Env(), T(info, 0).is_leaf()); }
// The name PyTorch prints as grad_fn=<...> (namespace stripped), or null for leaves.
Napi::Value gradFn(const Napi::CallbackInfo& info) {
  const auto& fn = T(info, 0).grad_fn();
  if (!fn) return info.Env().Null();
  std::string name = fn->name();
  auto pos = name.rfind("::");
  return Napi::String::New(info.Env(), pos == std::string::npos ? name : name.substr(pos + 2));
}

// ---- data out -----------------------------------------------------------------------------------
// A copy of the elements (row-major, CPU) in a new ArrayBuffer. Copying (unlike numpy()'s sharing)
// keeps JS from ever holding a pointer into memory that libtorch may free.
Napi::Value toBuffer(const Napi::CallbackInfo& info) {
  at::Tensor c = T(info, 0).detach().to(at::kCPU).contiguous();
  size_t n = c.nbytes();
  Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(info.Env(), n);
  if (n) std::memcpy(buf.Data(), c.data_ptr(), n);
  return buf;
}
Napi::Value item(const Napi::CallbackInfo& info) {
  at::Scalar s = T(info, 0).item();
  if (s.isBoolean()) return Napi::Boolean::New(info.Env(), s.toBool());
  if (s.isIntegral(false)) return Napi::Number::New(info.Env(), static_cast<double>(s.toLong()));
  return Napi::Number::New(info.Env(), s.toDouble());
}

// ---- data in ------------------------------------------------------------------------------------
// fromData(view, shape, srcDtype, dtype, device, requiresGrad): copies a typed array.
Napi::Value fromData(const Napi::CallbackInfo& info) {
  if (!info[0].IsTypedArray()) throw ArgTypeError("data: expected a typed array");
  Napi::TypedArray view = info[0].As<Napi::TypedArray>();
  std::vector<int64_t> shape = IL(info, 1);
  auto src = optDtype(info, 2);
  if (!src) throw ArgTypeError("data: unsupported typed array");
  at::Tensor t = at::empty(shape, at::TensorOptions().dtype(*src));
  if (t.nbytes() != view.ByteLength())
    throw ArgRangeError("data: " + std::to_string(view.ByteLength() / at::elementSize(*src)) +
                        " elements do not fill shape " + c10::str(t.sizes()));
  if (t.nbytes()) {
    auto* base = static_cast<uint8_t*>(view.ArrayBuffer().Data()) + view.ByteOffset();
    std::memcpy(t.data_ptr(), base, t.nbytes());
  }
  auto dt = optDtype(info, 3);
  t = t.to(Dev(info, 4), dt ? *dt : *src);
  if (B(info, 5)) t.requires_grad_(true);
  return R(info, t);
}

// Zero-copy: the tensor uses the typed array's memory and holds a reference to it. The reference
// may only be dropped on the JS thread, but libtorch frees storage wherever the last owner lets go,
// so the deleter queues it and the JS thread drains the queue.
// Never destroyed: tensors still alive at exit may run this deleter during static destruction.
std::mutex& g_pendingMutex = *new std::mutex();
std::vector<napi_ref>& g_pending = *new std::vector<napi_ref>();
void drainPending(napi_env env) {
  std::vector<napi_ref> refs;
  {
    std::lock_guard<std::mutex> lock(g_pendingMutex);
    refs.swap(g_pending);
  }
  for (napi_ref r : refs) napi_delete_reference(env, r);
}
Napi::Value fromBlob(const Napi::CallbackInfo& info) {
  drainPending(info.Env());
  if (!info[0].IsTypedArray()) throw ArgTypeError("data: expected a typed array");
  Napi::TypedArray view = info[0].As<Napi::TypedArray>();
  std::vector<int64_t> shape = IL(info, 1);
  auto src = optDtype(info, 2);
  if (!src) throw ArgTypeError("data: unsupported typed array");
  int64_t numel = 1;
  for (int64_t s : shape)
    if (s < 0 || __builtin_mul_overflow(numel, s, &numel)) throw ArgRangeError("shape: the number of elements of " + c10::str(c10::IntArrayRef(shape)) + " overflows int64");
  if (static_cast<size_t>(numel) * at::elementSize(*src) != view.ByteLength())
    throw ArgRangeError("data: " + std::to_string(view.ByteLength() / at::elementSize(*src)) +
                        " elements do not fill shape " + c10::str(c10::IntArrayRef(shape)));
  napi_ref ref;
  napi_create_reference(info.Env(), view, 1, &ref);
  auto* base = static_cast<uint8_t*>(view.ArrayBuffer().Data()) + view.ByteOffset();
  at::Tensor t = at::from_blob(
      base, shape,
      [ref](void*) {
        std::lock_guard<std::mutex> lock(g_pendingMutex);
        g_pending.push_back(ref);
      },
      at::TensorOptions().dtype(*src));
  if (B(info, 3)) t.requires_grad_(true);
  return R(info, t);
}
Napi::Value releasePending(const Napi::CallbackInfo& info) {
  drainPending(info.Env());
  return info.Env().Undefined();
}

// ---- conversions --------------------------------------------------------------------------------
// to(h, dtype|-1, device|null, copy)
Napi::Value to(const Napi::CallbackInfo& info) {
  at::Tensor& t = T(info, 0);
  auto dt = optDtype(info, 1);
  at::Device dev = isNullish(info, 2) ? t.device() : Dev(info, 2);
  return R(info, t.to(dev, dt ? *dt : t.scalar_type(), /*non_blocking=*/false, /*copy=*/B(info, 3)));
}
Napi::Value clone(const Napi::CallbackInfo& info) { return R(info, T(info, 0).clone()); }
Napi::Value contiguous(const Napi::CallbackInfo& info) { return R(info, T(info, 0).contiguous()); }
Napi::Value detach(const Napi::CallbackInfo& info) { return R(info, T(info, 0).detach()); }
Napi::Value alias(const Napi::CallbackInfo& info) { return R(info, T(info, 0)); }  // a second handle

// ---- autograd -----------------------------------------------------------------------------------
// backward(h, gradient|null, retainGraph|null, createGraph)
Napi::Value backward(const Napi::CallbackInfo& info) {
  at::Tensor& t = T(info, 0);
  c10::optional<at::Tensor> g = optT(info, 1);
  c10::optional<bool> retain;
  if (!isNullish(info, 2)) retain = B(info, 2);
  t.backward(g ? *g : at::Tensor(), retain, B(info, 3));
  return info.Env().Undefined();
}
Napi::Value grad(const Napi::CallbackInfo& info) { return R(info, T(info, 0).grad()); }
// setGrad(h, g|null) with PyTorch's checks on the assigned gradient.
Napi::Value setGrad(const Napi::CallbackInfo& info) {
  at::Tensor& t = T(info, 0);
  if (isNullish(info, 1)) {
    t.mutable_grad().reset();
    return info.Env().Undefined();
  }
  at::Tensor& g = T(info, 1);
  TORCH_CHECK_TYPE(g.scalar_type() == t.scalar_type(), "assigned grad has data of a different type (",
                   g.scalar_type(), ") than the tensor (", t.scalar_type(), ")");
  TORCH_CHECK(g.device() == t.device(), "assigned grad has data located on a different device (", g.device(),
              ") than the tensor (", t.device(), ")");
  TORCH_CHECK(g.sizes() == t.sizes(), "assigned grad has shape ", g.sizes(), " but the tensor has shape ", t.sizes());
  t.mutable_grad() = g;
  return info.Env().Undefined();
}
Napi::Value retainGrad(const Napi::CallbackInfo& info) {
  T(info, 0).retain_grad();
  return info.Env().Undefined();
}
// setData(h, src): h now holds src's data (dtype, device, shape) while staying the same tensor
// object for autograd and for whoever holds it (PyTorch's `param.data = ...`, used by Module.to).
Napi::Value setData(const Napi::CallbackInfo& info) {
  T(info, 0).set_data(T(info, 1));
  return info.Env().Undefined();
}
Napi::Value requiresGrad_(const Napi::CallbackInfo& info) {
  T(info, 0).requires_grad_(B(info, 1));
  return info.Env().Undefined();
}

const Binding kAutograd[] = {
    {"shape", shape},
    {"stride", stride},
    {"dtype", dtype},
    {"device", device},
    {"isContiguous", isContiguous},
    {"requiresGrad", requiresGrad},
    {"isLeaf", isLeaf},
    {"gradFn", gradFn},
    {"toBuffer", toBuffer},
    {"item", item},
    {"fromData", fromData},
    {"fromBlob", fromBlob},
    {"releasePending", releasePending},
    {"to", to},
    {"clone", clone},
    {"contiguous", contiguous},
    {"detach", detach},
    {"alias", alias},
    {"backward", backward},
    {"grad", grad},
    {"setGrad", setGrad},
    {"retainGrad", retainGrad},
    {"requiresGrad_", requiresGrad_},
    {"setData", setData},
};
}  // namespace

void registerAutograd(Napi::Env env, Napi::Object exports) { TL_REGISTER(env, exports, kAutograd); }

}  // namespace tl
