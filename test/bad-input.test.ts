// Malformed calls: each must throw the right class (TorchError with PyTorch's exception kind for
// libtorch's checks, TypeError / RangeError naming the argument for wrong JS arguments) with a
// useful message, and must never crash the process. Every bad call runs inside tidy() so a failed
// call cannot leak handles; the last test checks the process is still healthy.
// (Indices, argument types, autograd, scopes, options and files: bad-input-2.test.ts.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as torch from '../src/index.js';
import { F, Tensor } from '../src/index.js';
import {
  bad, gone, healthTest, IDX, NI, noCuda, RANGE, RT, T, TTYPE, TYPE, VAL,
} from './bad-input.helpers.js';

// ---- shapes: wrong JS values ---------------------------------------------------------------------
bad('shape: zeros([2, NaN])', () => torch.zeros([2, NaN]), RANGE, /^size: dimensions must be integers, got NaN in \[2, NaN\]/);
bad('shape: zeros([2, -3])', () => torch.zeros([2, -3]), RANGE, /^size: negative dimension -3 in \[2, -3\]/);
bad('shape: ones([2.5])', () => torch.ones([2.5]), RANGE, /^size: dimensions must be integers, got 2\.5/);
bad('shape: zeros([Infinity])', () => torch.zeros([Infinity]), RANGE, /^size: dimensions must be integers, got Infinity/);
bad('shape: zeros("abc") (not an array)', () => T.zeros('abc'), TYPE, /^size: expected an array of integers, got an element string abc/);
bad('shape: zeros(true) (boolean shape)', () => T.zeros(true), TYPE, /^size: expected an array of integers, got an element boolean true/);
bad('shape: zeros(null)', () => T.zeros(null), TYPE, /^size: expected an array of integers, got an element null/);
bad('shape: zeros([2n]) (bigint dim)', () => T.zeros([2n]), TYPE, /^size: .*got an element bigint 2/);
bad('shape: view(NaN)', () => torch.ones([6]).view(NaN), RANGE, /^shape: dimensions must be integers, got NaN/);
bad('shape: view(-2, 3)', () => torch.ones([6]).view(-2, 3), RANGE, /^shape: negative dimension -2 in \[-2, 3\]/);
bad('shape: view("2", 3)', () => T.ones([6]).view('2', 3), TYPE, /^shape: expected an array of integers, got an element string 2/);
bad('shape: repeat(-1)', () => torch.ones([2]).repeat(-1), RANGE, /^repeats: negative dimension -1/);
bad('shape: fromBuffer shape [-1, 4]', () => torch.fromBuffer(new Float32Array(4), [-1, 4]), RANGE, /^shape: negative dimension -1 in \[-1, 4\]/);
bad('shape: fromBuffer shape true', () => T.fromBuffer(new Float32Array(2), true), TYPE, /^shape: expected an array of integers, got boolean true/);
bad('shape: zeros([2**53]) (not a safe integer)', () => torch.zeros([2 ** 53]), RANGE, /^size: /);

// ---- shapes: libtorch's checks ----------------------------------------------------------------------
bad('shape: zeros([2**40, 2**40]) overflows', () => torch.zeros([2 ** 40, 2 ** 40]), RT, /Storage size calculation overflowed with sizes=\[1099511627776, 1099511627776\]/);
bad('shape: zeros([0]).view(2**32, 2**32) overflows', () => torch.zeros([0]).view(2 ** 32, 2 ** 32), RT, /numel: integer multiplication overflow/);
bad('shape: fromBuffer whose shape product wraps to the length', () => torch.fromBuffer(new Float32Array(1), [274177, 67280421310721]), RANGE, /^shape: the number of elements of \[274177, 67280421310721\] overflows int64/);
bad('shape: matmul [2,3] x [4,5]', () => torch.matmul(torch.ones([2, 3]), torch.ones([4, 5])), RT, /mat1 and mat2 shapes cannot be multiplied \(2x3 and 4x5\)/);
bad('shape: mm on 1-D tensors', () => torch.mm(torch.ones([3]), torch.ones([3])), RT, /self must be a matrix/);
bad('shape: bmm on 2-D tensors', () => torch.bmm(torch.ones([2, 3]), torch.ones([2, 3])), RT, /batch1 must be a 3D tensor/);
bad('shape: add [4] + [3]', () => torch.add(torch.ones([4]), torch.ones([3])), RT, /The size of tensor a \(4\) must match the size of tensor b \(3\) at non-singleton dimension 0/);
bad('shape: add_ [2] += [3, 2]', () => torch.ones([2]).add_(torch.ones([3, 2])), RT, /output with shape \[2\] doesn't match the broadcast shape \[3, 2\]/);
bad('shape: conv2d channel mismatch', () => F.conv2d(torch.ones([1, 3, 8, 8]), torch.ones([4, 2, 3, 3])), RT, /weight of size \[4, 2, 3, 3\], expected input\[1, 3, 8, 8\] to have 2 channels, but got 3 channels/);
bad('shape: conv2d on a 2-D input', () => F.conv2d(torch.ones([8, 8]), torch.ones([1, 1, 3, 3])), RT, /Expected 3D \(unbatched\) or 4D \(batched\) input to conv2d, but got input of size: \[8, 8\]/);
bad('shape: conv2d kernel larger than input', () => F.conv2d(torch.ones([1, 1, 2, 2]), torch.ones([1, 1, 5, 5])), RT, /Kernel size can't be greater than actual input size/);
bad('shape: conv2d bias of the wrong size', () => F.conv2d(torch.ones([1, 1, 4, 4]), torch.ones([2, 1, 3, 3]), torch.ones([5])), RT, /expected bias to be 1-dimensional with 2 elements, but got bias of size \[5\]/);
bad('shape: conv2d groups not dividing channels', () => F.conv2d(torch.ones([1, 3, 4, 4]), torch.ones([2, 3, 3, 3]), null, { groups: 2 }), RT, /Given groups=2.*to have 6 channels, but got 3 channels/);
bad('shape: cat with mismatched sizes', () => torch.cat([torch.ones([2, 3]), torch.ones([2, 4])]), RT, /Sizes of tensors must match except in dimension 0\. Expected size 3 but got size 4 for tensor number 1/);
bad('shape: cat([])', () => torch.cat([]), RT, /torch\.cat\(\): expected a non-empty list of Tensors/);
bad('shape: stack with mismatched sizes', () => torch.stack([torch.ones([2]), torch.ones([3])]), RT, /stack expects each tensor to be equal size, but got \[2\] at entry 0 and \[3\] at entry 1/);
bad('shape: view with the wrong numel', () => torch.ones([2, 3]).view(4, 2), RT, /shape '\[4, 2\]' is invalid for input of size 6/);
bad('shape: view on a non-contiguous tensor', () => torch.ones([2, 3]).t().view(6), RT, /view size is not compatible with input tensor's size and stride.*Use \.reshape\(\.\.\.\) instead/);
bad('shape: view(-1, -1)', () => torch.ones([2, 3]).view(-1, -1), RT, /only one dimension can be inferred/);
bad('shape: expand [2,3] to [4,3]', () => torch.ones([2, 3]).expand(4, 3), RT, /The expanded size of the tensor \(4\) must match the existing size \(2\) at non-singleton dimension 0/);
bad('shape: expand to fewer dims', () => torch.ones([2, 3]).expand(3), RT, /the number of sizes provided \(1\) must be greater or equal to the number of dimensions in the tensor \(2\)/);
bad('shape: expand(-1, 3) with a new leading -1', () => torch.ones([3]).expand(-1, 3), RT, /The expanded size of the tensor \(-1\) isn't allowed in a leading, non-existing dimension 0/);
bad('shape: reshape to the wrong numel', () => torch.ones([2, 3]).reshape(7), RT, /shape '\[7\]' is invalid for input of size 6/);
bad('shape: reshape(-1, 4) of 6 elements', () => torch.ones([2, 3]).reshape(-1, 4), RT, /shape '\[-1, 4\]' is invalid for input of size 6/);
bad('shape: permute(0, 0)', () => torch.ones([2, 3]).permute(0, 0), RT, /duplicate dims are not allowed/);
bad('shape: unflatten sizes not multiplying up', () => torch.ones([6]).unflatten(0, [4, 2]), RT, /Provided sizes \[4, 2\] don't multiply up to the size of dim 0 \(6\)/);
bad('shape: split sections not summing up', () => torch.ones([6]).split([2, 2]), RT, /split_with_sizes expects split_sizes to sum exactly to 6/);
bad('shape: flatten(1, 0)', () => torch.ones([2, 3]).flatten(1, 0), RT, /start_dim cannot come after end_dim/);
bad('shape: repeat with fewer dims than the tensor', () => torch.ones([2, 3]).repeat(2), RT, /Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor/);
bad('shape: linear with mismatched weight', () => F.linear(torch.ones([2, 3]), torch.ones([4, 5])), RT, /mat1 and mat2 shapes cannot be multiplied \(2x3 and 5x4\)/);
bad('shape: layerNorm normalizedShape not matching', () => F.layerNorm(torch.ones([2, 3]), [4]), RT, /Given normalized_shape=\[4\], expected input with shape \[\*, 4\], but got input of size\s?\[2, 3\]/);
bad('shape: batchNorm running stats of the wrong size', () => F.batchNorm(torch.ones([2, 3]), torch.zeros([4]), torch.ones([4])), RT, /running_mean should contain 3 elements not 4/);
bad('shape: mseLoss [2,3] vs [4]', () => F.mseLoss(torch.ones([2, 3]), torch.ones([4])), RT, /The size of tensor a \(3\) must match the size of tensor b \(4\)/);
bad('shape: crossEntropy batch mismatch', () => F.crossEntropy(torch.ones([2, 3]), torch.tensor([0n, 1n, 2n])), VAL, /Expected input batch_size \(2\) to match target batch_size \(3\)/);
bad('shape: maxPool2d kernel larger than input', () => F.maxPool2d(torch.ones([1, 1, 2, 2]), 5), RT, /Given input size: \(1x2x2\)\. Calculated output size: \(1x0x0\)\. Output size is too small/);
bad('shape: maxPool2d padding > kernel / 2', () => F.maxPool2d(torch.ones([1, 1, 4, 4]), 2, { padding: 2 }), RT, /pad should be at most half of kernel size, but got pad=2 and kernel_size=2/);
bad('shape: maxPool2d kernelSize with 3 values', () => F.maxPool2d(torch.ones([1, 1, 4, 4]), [2, 2, 2]), RANGE, /^kernelSize: expected 2 values, got \[2, 2, 2\]/);
bad('shape: pad with an odd-length list', () => F.pad(torch.ones([1, 2, 2]), [1]), RT, /Padding length must be divisible by 2/);
bad('shape: reflect pad wider than the input', () => F.pad(torch.ones([1, 2, 2]), [5, 5], { mode: 'reflect' }), RT, /Padding size should be less than the corresponding input dimension, but got: padding \(5, 5\)/);
bad('shape: fromBuffer 5 elements into [2, 3]', () => torch.fromBuffer(new Float32Array(5), [2, 3]), RANGE, /^data: 5 elements do not fill shape \[2, 3\]/);
bad('shape: fromBuffer with conversion, 5 elements into [2, 3]', () => torch.fromBuffer(new Float32Array(5), [2, 3], { dtype: 'float64' }), RANGE, /^data: 5 elements do not fill shape \[2, 3\]/);

// ---- torch.tensor data ---------------------------------------------------------------------------
bad('data: tensor([[1, 2], [3]]) (ragged)', () => T.tensor([[1, 2], [3]]), RANGE, /^data: expected sequence of length 2 at dim 1 \(got 1\)/);
bad('data: tensor([[1, 2], [3, [4]]]) (too deep)', () => T.tensor([[1, 2], [3, [4]]]), TYPE, /^data: ragged nested array \(too deep at dim 2\)/);
bad('data: tensor([[1, 2], 3]) (too shallow)', () => T.tensor([[1, 2], 3]), RANGE, /^data: expected sequence of length 2 at dim 1 \(got number 3\)/);
bad('data: tensor([1, true]) (mixed types)', () => T.tensor([1, true]), TYPE, /^data: mixed element types \(boolean true among numbers\)/);
bad('data: tensor([1n, 2]) (bigint and number)', () => T.tensor([1n, 2]), TYPE, /^data: mixed element types \(number 2 among bigints\)/);
bad('data: tensor("abc")', () => T.tensor('abc'), TYPE, /^data: expected numbers, booleans or bigints, got string abc/);
bad('data: tensor([null])', () => T.tensor([null]), TYPE, /^data: expected numbers, booleans or bigints, got null/);
bad('data: tensor(Uint16Array) (ambiguous half bits)', () => T.tensor(new Uint16Array(2)), TYPE, /^data: this typed array type is not supported; use fromBuffer with a dtype/);
bad('data: fromBuffer([1, 2, 3]) (not a typed array)', () => T.fromBuffer([1, 2, 3], [3]), TYPE, /^data: expected a typed array, got an array/);
bad('data: fromBuffer(DataView)', () => T.fromBuffer(new DataView(new ArrayBuffer(8)), [2]), TYPE, /^data: expected a typed array, got DataView/);

// ---- dtypes ----------------------------------------------------------------------------------------
bad('dtype: zeros dtype "float128"', () => T.zeros([2], { dtype: 'float128' }), TYPE, /^dtype: unknown dtype "float128"; expected one of .*float32/);
bad('dtype: zeros dtype 6 (a number)', () => T.zeros([2], { dtype: 6 }), TYPE, /^dtype: unknown dtype 6/);
bad('dtype: sum dtype "xx"', () => T.ones([3]).sum(0, { dtype: 'xx' }), TYPE, /^dtype: unknown dtype "xx"/);
bad('dtype: fromBuffer dtype "quux"', () => T.fromBuffer(new Float32Array(4), [4], { dtype: 'quux' }), TYPE, /^dtype: unknown dtype "quux"/);
bad('dtype: fromBuffer(Uint16Array) without a dtype', () => torch.fromBuffer(new Uint16Array(4), [4]), TYPE, /Uint16Array holds raw float16\/bfloat16 bits/);
bad('dtype: int64 tensor with requiresGrad', () => torch.ones([2], { dtype: 'int64', requiresGrad: true }), RT, /Only Tensors of floating point and complex dtype can require gradients/);
bad('dtype: requiresGrad = true on an int32 tensor', () => { torch.ones([2], { dtype: 'int32' }).requiresGrad = true; }, RT, /Only Tensors of floating point and complex dtype can require gradients/);
bad('dtype: crossEntropy on int64 logits', () => F.crossEntropy(torch.ones([2, 3], { dtype: 'int64' }), torch.tensor([0n, 1n])), RT, /not implemented for 'Long'/);
bad('dtype: crossEntropy with a float target of shape [N]', () => F.crossEntropy(torch.ones([2, 3]), torch.ones([2])), RT, /expected scalar type Long but found Float/);
bad('dtype: crossEntropy with a float target of the wrong class count', () => F.crossEntropy(torch.ones([2, 3]), torch.ones([2, 4])), RT, /0D or 1D target tensor expected, multi-target not supported/);
bad('dtype: crossEntropy with an int32 target', () => F.crossEntropy(torch.ones([2, 3]), torch.tensor([0, 1], { dtype: 'int32' })), RT, /expected scalar type Long but found Int/);
bad('dtype: nllLoss with a float target', () => F.nllLoss(torch.ones([2, 3]), torch.ones([2])), RT, /expected scalar type Long but found Float/);
bad('dtype: BCE-with-logits into an int64 target', () => F.binaryCrossEntropyWithLogits(torch.ones([2]), torch.ones([2], { dtype: 'int64' })), RT, /result type Float can't be cast to the desired output type Long/);
bad('dtype: conv2d int64 input, float weight', () => F.conv2d(torch.ones([1, 1, 4, 4], { dtype: 'int64' }), torch.ones([1, 1, 3, 3])), RT, /expected scalar type Long but found Float/);
bad('dtype: conv2d float64 input, float32 weight', () => F.conv2d(torch.ones([1, 1, 4, 4], { dtype: 'float64' }), torch.ones([1, 1, 3, 3])), RT, /expected scalar type Double but found Float/);
bad('dtype: conv2d on bool tensors', () => F.conv2d(torch.ones([1, 1, 4, 4], { dtype: 'bool' }), torch.ones([1, 1, 3, 3], { dtype: 'bool' })), RT, /"slow_conv2d_cpu" not implemented for 'Bool'/);
bad('dtype: where with a float condition', () => torch.where(torch.ones([2]), torch.ones([2]), torch.zeros([2])), RT, /where expected condition to be a boolean tensor, but got a tensor with dtype Float/);
bad('dtype: mm float32 x float64', () => torch.mm(torch.ones([2, 2]), torch.ones([2, 2], { dtype: 'float64' })), RT, /expected scalar type Float but found Double/);
bad('dtype: int64 add_ float', () => torch.ones([2], { dtype: 'int64' }).add_(torch.ones([2])), RT, /result type Float can't be cast to the desired output type Long/);
bad('dtype: mean of int64', () => torch.ones([2], { dtype: 'int64' }).mean(), RT, /mean\(\): could not infer output dtype\. Input dtype must be either a floating point or complex dtype\. Got: Long/);
bad('dtype: std of int64', () => torch.ones([3], { dtype: 'int64' }).std(), RT, /std and var only support floating point and complex dtypes/);
bad('dtype: softmax of int64', () => F.softmax(torch.ones([2, 3], { dtype: 'int64' }), 1), RT, /"softmax_lastdim_kernel_impl" not implemented for 'Long'/);
bad('dtype: index with a float tensor', () => torch.ones([3]).index(torch.tensor([0.5])), IDX, /tensors used as indices must be long, byte or bool tensors/);
bad('dtype: gather with a float index', () => torch.ones([3]).gather(0, torch.ones([1])), RT, /gather\(\): Expected dtype int64 for index/);
bad('dtype: indexSelect with a float index', () => torch.ones([3]).indexSelect(0, torch.ones([1])), RT, /index_select\(\): Expected dtype int32 or int64 for index/);
bad('dtype: maskedSelect with a float mask', () => torch.ones([3]).maskedSelect(torch.ones([3])), RT, /masked_select: expected BoolTensor or ByteTensor for mask/);
bad('dtype: maskedFill with a float mask', () => torch.tensor([1, 2, 3]).maskedFill(torch.tensor([0, 1, 0]), 9), TYPE, /^mask: .*bool/);
bad('dtype: oneHot of a float tensor', () => F.oneHot(torch.ones([3])), RT, /one_hot is only applicable to index tensor/);
bad('dtype: grad of another dtype', () => { torch.ones([2], { requiresGrad: true }).grad = torch.ones([2], { dtype: 'float64' }); }, TTYPE, /assigned grad has data of a different type \(Double\) than the tensor \(Float\)/);
bad('dtype: indexPut_ float64 values into float32', () => torch.ones([3]).indexPut_([torch.tensor([0n])], torch.ones([1], { dtype: 'float64' })), RT, /Index put requires the source and destination dtypes match, got Float for the destination and Double for the source/);
bad('dtype: setRngState with a float tensor', () => torch.setRngState(torch.ones([3])), TTYPE, /RNG state must be a torch\.ByteTensor/);
bad('dtype: lerp on int64', () => torch.lerp(torch.ones([2], { dtype: 'int64' }), torch.ones([2], { dtype: 'int64' }), 0.5), RT, /not implemented for 'Long'/);
bad('dtype: int64 to a negative power', () => torch.pow(torch.ones([2], { dtype: 'int64' }), -1), RT, /Integers to negative integer powers are not allowed/);
bad('dtype: uniform_ on int64', () => torch.ones([2], { dtype: 'int64' }).uniform_(), RT, /not implemented for 'Long'/);
bad('dtype: randint range beyond uint8', () => torch.randint(0, 300, [2], { dtype: 'uint8' }), RT, /to - 1 is out of bounds for unsigned char/);
bad('dtype: to("complex64") (unsupported dtype)', () => T.ones([2]).to('complex64'), TYPE, /^(?=.*complex64)(?=.*dtype)/);

// ---- devices --------------------------------------------------------------------------------------
bad('device: "tpu"', () => torch.zeros([2], { device: 'tpu' }), TYPE, /^device: unknown device 'tpu'; expected 'cpu', 'cuda' or 'cuda:N'/);
bad('device: 42', () => T.zeros([2], { device: 42 }), TYPE, /^device: expected a string such as 'cpu' or 'cuda:0', got number 42/);
bad('device: "cuda:-1"', () => torch.zeros([2], { device: 'cuda:-1' }), TYPE, /^device: unknown device 'cuda:-1'/);
bad('device: onesLike(x, {device: "tpu"})', () => torch.onesLike(torch.ones([2]), { device: 'tpu' }), TYPE, /^device: unknown device 'tpu'/);
bad('device: to("tpu")', () => torch.ones([2]).to('tpu'), RT, /device type at start of device string: tpu/);
bad('device: to(42)', () => T.ones([2]).to(42), TYPE, /^to: expected a dtype, a device or a Tensor/);
bad('device: cuda(-1)', () => torch.ones([2]).cuda(-1), TYPE, /^device: unknown device 'cuda:-1'/);
bad('device: to("cuda") without CUDA', () => torch.ones([2]).to('cuda'), RT, /CUDA is not available/, { skip: noCuda });
bad('device: zeros on "cuda" without CUDA', () => torch.zeros([2], { device: 'cuda' }), RT, /^(?=.*cuda)(?=.*not (?:available|compiled|linked))/is,
  { skip: noCuda });
bad('device: x.cuda() without CUDA', () => torch.ones([2]).cuda(), RT, /^(?=.*cuda)(?=.*not (?:available|compiled|linked))/is,
  { skip: noCuda });
bad('device: reading a meta tensor', () => torch.zeros([2], { device: 'meta' }).toArray(), NI, /Cannot copy out of meta tensor; no data!/);

// ---- disposed tensors ------------------------------------------------------------------------------
bad('disposed: as self (method)', () => gone().add(1), TYPE, /^input: the tensor has been disposed \(by dispose\(\) or at the end of its tidy\(\) scope\)/);
bad('disposed: .shape', () => gone().shape, TYPE, /^self: the tensor has been disposed/);
bad('disposed: .item()', () => gone().item(), TYPE, /^self: the tensor has been disposed/);
bad('disposed: as an argument', () => torch.ones([2]).add(gone()), TYPE, /^other: the tensor has been disposed/);
bad('disposed: in a cat list', () => torch.cat([torch.ones([2]), gone()]), TYPE, /^tensors\[1\]: the tensor has been disposed/);
bad('disposed: used after its tidy() ended', () => {
  let t: Tensor | undefined;
  torch.tidy(() => {
    t = torch.ones([2]);
  });
  return t!.mul(2);
}, TYPE, /^input: the tensor has been disposed .*tidy/);
bad('disposed: as where() condition', () => torch.where(gone(), torch.ones([2]), 0), TYPE, /^condition: the tensor has been disposed/);
bad('disposed: as backward() gradient', () => torch.ones([2], { requiresGrad: true }).mul(2).backward(gone()), TYPE, /^gradient: the tensor has been disposed/);
bad('disposed: assigned as .grad', () => { torch.ones([2], { requiresGrad: true }).grad = gone(); }, TYPE, /^grad: the tensor has been disposed/);
bad('disposed: keep()', () => torch.keep(gone()), TYPE, /^keep: the tensor has been disposed/);
bad('disposed: save()', () => torch.serialize({ a: gone() }), TYPE, /^tensors\['a'\]: the tensor has been disposed/);
test('disposed: disposing twice is a no-op', () => {
  const t = torch.ones([2]);
  t.dispose();
  assert.doesNotThrow(() => t.dispose());
  assert.doesNotThrow(() => torch.dispose([t, { t }]));
  assert.equal(t.isDisposed, true);
  assert.equal(String(t), 'tensor(<disposed>)');
});

// ---- the process survived all of the above (last test) ---------------------------------------------------
healthTest();
