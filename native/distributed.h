// c10d (torch.distributed's engine, part of libtorch) for the addon: the default process group
// shared by distributed.cc (stores, process groups, collectives) and ddp.cc (c10d::Reducer).
#pragma once
#include "common.h"

#include <torch/csrc/distributed/c10d/ProcessGroup.hpp>

namespace tl {
// The process group made by distInit, or throws a clear error when there is none.
c10::intrusive_ptr<c10d::ProcessGroup> defaultGroup();

void registerDistributed(Napi::Env env, Napi::Object exports);
void registerDdp(Napi::Env env, Napi::Object exports);
}  // namespace tl
