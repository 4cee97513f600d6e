// Stand-in for a libtorch header that Debian's libtorch-dev does not ship (distributed autograd,
// part of torch.distributed.rpc) but c10d/reducer.hpp includes. The Reducer only holds a
// shared_ptr to this class and names its GradCallback type, so declaring that much keeps
// reducer.hpp's class layout identical to the one libtorch_cpu was compiled with; nothing here
// creates or reads a DistAutogradContext. Used only when the real header is missing (see
// native/CMakeLists.txt).
#pragma once
#include <ATen/core/Tensor.h>

#include <functional>
#include <memory>

namespace torch {
namespace distributed {
namespace autograd {
class DistAutogradContext {
 public:
  using GradCallback = std::function<bool(at::Tensor&)>;
};
using ContextPtr = std::shared_ptr<DistAutogradContext>;
}  // namespace autograd
}  // namespace distributed
}  // namespace torch
