// Typed calls to a sample of the generated ops, compiled with `tsc --strict` by
// test/aten-types.test.ts: every call below must type-check, and every line after a
// `@ts-expect-error` must be a compile error (tsc reports an unused directive otherwise).
import * as torch from '../../src/index.js';
import type { Tensor } from '../../src/index.js';

export function run(): Record<string, readonly number[] | string | number | boolean> {
  const x = torch.randn([3, 4]);
  const w = torch.randn([5, 3]);
  const idx = torch.tensor([0, 4, 1], { dtype: 'int64' });
  const out: Record<string, readonly number[] | string | number | boolean> = {};
  const cm: [Tensor, Tensor] & { values: Tensor; indices: Tensor } = torch.cummax(x, 1);
  out.cummax = cm.values.shape;
  out.cumprod = torch.cumprod(x, 0, { dtype: 'float64' }).dtype;
  out.embedding = torch.embedding(w, idx).shape;
  out.einsum = torch.einsum('ij,kj->ik', [x, x]).shape;
  out.cdist = torch.cdist(x, x).shape;
  out.bucketize = torch.bucketize(x, torch.tensor([0.0, 0.5])).dtype;
  out.lstmCell = torch.lstmCell(torch.randn([2, 3]), [torch.zeros([2, 4]), torch.zeros([2, 4])],
    torch.randn([16, 3]), torch.randn([16, 4])).length;
  out.gruCell = torch.gruCell(torch.randn([2, 3]), torch.zeros([2, 4]), torch.randn([12, 3]), torch.randn([12, 4])).shape;
  const [values, inverse] = torch.uniqueConsecutive(torch.tensor([1, 1, 2]), true);
  out.unique = [values.shape[0], inverse.shape[0]];
  out.logcumsumexp = x.logcumsumexp(1).shape;
  out.kthvalue = x.kthvalue(2, 1).values.shape;
  out.triuIndices = torch.triuIndices(3, 3).shape;
  out.hardswish = torch.aten.hardswish(x).shape;
  out.isNonzero = torch.aten.isNonzero(torch.tensor(1));
  out.nanmean = x.nanmean().item();
  out.frac_ = x.clone().frac_().shape;
  out.resultType = torch.resultType(x, idx);
  out.maxPool1d = torch.maxPool1d(x.unsqueeze(0), 2).shape;
  out.layerNorm = torch.layerNorm(x, [4]).shape;
  return out;
}

export function wrongTypes(x: Tensor): void {
  // @ts-expect-error dim must be a number
  torch.cumprod(x, 'a');
  // @ts-expect-error embedding needs the indices tensor
  torch.embedding(x);
  // @ts-expect-error an unknown option
  torch.cumprod(x, 0, { dtyp: 'float64' });
  // @ts-expect-error dtype must be a DType
  torch.cumprod(x, 0, { dtype: 'float65' });
  // @ts-expect-error einsum takes a list of tensors
  torch.einsum('ij->i', x);
  // @ts-expect-error a method's self is the tensor itself
  x.logcumsumexp(x, 1);
  // @ts-expect-error a named tuple has no such field
  void torch.cummax(x, 1).value;
  // @ts-expect-error a tensor is not a number
  torch.triuIndices(x, 3);
  // @ts-expect-error isNonzero returns a boolean
  const n: Tensor = torch.aten.isNonzero(x);
  void n;
}
