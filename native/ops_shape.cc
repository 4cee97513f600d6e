// Views, joins, splits and indexing.
#include "op_table.h"

namespace tl {
namespace {

// Advanced indexing: a list with one entry per leading dim, each a tensor handle or null (= ':').
c10::List<c10::optional<at::Tensor>> indexList(CI& info, size_t i) {
  if (!info[i].IsArray()) throw ArgTypeError("indices: expected an array");
  Napi::Array a = info[i].As<Napi::Array>();
  c10::List<c10::optional<at::Tensor>> out;
  out.reserve(a.Length());
  for (uint32_t k = 0; k < a.Length(); k++) {
    Napi::Value v = a.Get(k);
    if (v.IsNull() || v.IsUndefined()) out.push_back(c10::nullopt);
    else out.push_back(get(v));
  }
  return out;
}

// split(h, sizeOrSections, dim): an int splits into equal pieces, a list into those sizes.
Napi::Value split(CI& info) {
  if (info[1].IsNumber()) return RList(info, at::split(A, I(info, 1), I(info, 2)));
  return RList(info, at::split_with_sizes(A, IL(info, 1), I(info, 2)));
}
// slice(h, dim, start|null, end|null, step): Python's x[start:end:step] along dim.
Napi::Value slice(CI& info) {
  int64_t step = I(info, 4);
  if (step <= 0) throw ArgRangeError("slice: step must be greater than zero, got " + std::to_string(step));
  return R(info, at::slice(A, I(info, 1), optI(info, 2), optI(info, 3), step));
}

const Binding kShape[] = {
    {"view", FN(OUT(A.view(IL(info, 1))))},
    {"reshape", FN(OUT(at::reshape(A, IL(info, 1))))},
    {"flatten", FN(OUT(at::flatten(A, I(info, 1), I(info, 2))))},
    {"unflatten", FN(OUT(A.unflatten(I(info, 1), IL(info, 2))))},
    {"permute", FN(OUT(at::permute(A, IL(info, 1))))},
    {"transpose", FN(OUT(at::transpose(A, I(info, 1), I(info, 2))))},
    {"t", FN(OUT(at::t(A)))},
    {"squeeze", FN(OUT(isNullish(info, 1) ? at::squeeze(A) : at::squeeze(A, I(info, 1))))},
    {"unsqueeze", FN(OUT(at::unsqueeze(A, I(info, 1))))},
    {"expand", FN(OUT(A.expand(IL(info, 1))))},
    {"repeat", FN(OUT(A.repeat(IL(info, 1))))},
    {"flip", FN(OUT(at::flip(A, IL(info, 1))))},
    {"roll", FN(OUT(at::roll(A, IL(info, 1), IL(info, 2))))},
    {"cat", FN(OUT(at::cat(TL(info, 0), I(info, 1))))},
    {"stack", FN(OUT(at::stack(TL(info, 0), I(info, 1))))},
    {"split", split},
    {"chunk", FN(return RList(info, at::chunk(A, I(info, 1), I(info, 2))))},
    {"unbind", FN(return RList(info, at::unbind(A, I(info, 1))))},
    {"narrow", FN(OUT(at::narrow(A, I(info, 1), I(info, 2), I(info, 3))))},
    {"select", FN(OUT(at::select(A, I(info, 1), I(info, 2))))},
    {"slice", slice},
    {"index", FN(OUT(at::index(A, indexList(info, 1))))},
    {"indexPut_", FN(A.index_put_(indexList(info, 1), T(info, 2), B(info, 3)); return info[0])},
    {"indexSelect", FN(OUT(at::index_select(A, I(info, 1), T(info, 2))))},
    {"gather", FN(OUT(at::gather(A, I(info, 1), T(info, 2))))},
    {"scatter", FN(OUT(at::scatter(A, I(info, 1), T(info, 2), T(info, 3))))},
    {"scatterAdd", FN(OUT(at::scatter_add(A, I(info, 1), T(info, 2), T(info, 3))))},
    {"maskedFillS", FN(OUT(at::masked_fill(A, Bt, S(info, 2))))},
    {"maskedFillT", FN(OUT(at::masked_fill(A, Bt, T(info, 2))))},
    {"maskedSelect", FN(OUT(at::masked_select(A, Bt)))},
    {"nonzero", FN(OUT(at::nonzero(A)))},
    {"oneHot", FN(OUT(at::one_hot(A, I(info, 1))))},
    {"tril", FN(OUT(at::tril(A, I(info, 1))))},
    {"triu", FN(OUT(at::triu(A, I(info, 1))))},
};
}  // namespace

void registerShape(Napi::Env env, Napi::Object exports) { TL_REGISTER(env, exports, kShape); }

}  // namespace tl
