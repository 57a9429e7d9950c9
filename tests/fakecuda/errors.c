// SPDX-License-Identifier: GPL-2.0
/*
 * The API edge of errors: internal negative errno values to CUresult, and
 * cuGetErrorName / cuGetErrorString over every CUresult of cuda.h 13.
 */
#include <stddef.h>

#include "fc.h"

CUresult fc_result(int err)
{
	switch (err) {
	case 0:			return CUDA_SUCCESS;
	case -EINVAL:		return CUDA_ERROR_INVALID_VALUE;
	case -EBADF:		return CUDA_ERROR_INVALID_HANDLE;
	case -ENODEV:		return CUDA_ERROR_INVALID_DEVICE;
	case -ENOMEM:
	case -ENOSPC:		return CUDA_ERROR_OUT_OF_MEMORY;
	case -EAGAIN:		return CUDA_ERROR_NOT_READY;
	case -ENOENT:		return CUDA_ERROR_NOT_FOUND;
	case -ENOTSUP:		return CUDA_ERROR_NOT_SUPPORTED;
	case -FC_ENOTINIT:	return CUDA_ERROR_NOT_INITIALIZED;
	case -FC_ENOCTX:	return CUDA_ERROR_INVALID_CONTEXT;
	case -FC_ENOFILE:	return CUDA_ERROR_FILE_NOT_FOUND;
	case -FC_ESTATE:	return CUDA_ERROR_ILLEGAL_STATE;
	case -FC_ECAPTURE:	return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
	case -FC_EINVALIDATED:	return CUDA_ERROR_STREAM_CAPTURE_INVALIDATED;
	case -FC_EUNMATCHED:	return CUDA_ERROR_STREAM_CAPTURE_UNMATCHED;
	case -FC_EUNJOINED:	return CUDA_ERROR_STREAM_CAPTURE_UNJOINED;
	case -FC_EISOLATION:	return CUDA_ERROR_STREAM_CAPTURE_ISOLATION;
	case -FC_EIMPLICIT:	return CUDA_ERROR_STREAM_CAPTURE_IMPLICIT;
	case -FC_ECAPTURED:	return CUDA_ERROR_CAPTURED_EVENT;
	case -FC_EWRONGTHREAD:	return CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD;
	default:		return CUDA_ERROR_UNKNOWN;
	}
}

/* Names are cuda.h's; the descriptions are this file's own words. */
#define FC_ERRORS \
	X(CUDA_SUCCESS, "no error") \
	X(CUDA_ERROR_INVALID_VALUE, "invalid argument") \
	X(CUDA_ERROR_OUT_OF_MEMORY, "out of memory") \
	X(CUDA_ERROR_NOT_INITIALIZED, "initialization error: cuInit has not been called") \
	X(CUDA_ERROR_DEINITIALIZED, "deinitialized") \
	X(CUDA_ERROR_PROFILER_DISABLED, "profiler disabled") \
	X(CUDA_ERROR_PROFILER_NOT_INITIALIZED, "profiler not initialized") \
	X(CUDA_ERROR_PROFILER_ALREADY_STARTED, "profiler already started") \
	X(CUDA_ERROR_PROFILER_ALREADY_STOPPED, "profiler already stopped") \
	X(CUDA_ERROR_STUB_LIBRARY, "stub library") \
	X(CUDA_ERROR_CALL_REQUIRES_NEWER_DRIVER, "call requires newer driver") \
	X(CUDA_ERROR_DEVICE_UNAVAILABLE, "device unavailable") \
	X(CUDA_ERROR_NO_DEVICE, "no CUDA-capable device is detected") \
	X(CUDA_ERROR_INVALID_DEVICE, "invalid device") \
	X(CUDA_ERROR_DEVICE_NOT_LICENSED, "device not licensed") \
	X(CUDA_ERROR_INVALID_IMAGE, "invalid image") \
	X(CUDA_ERROR_INVALID_CONTEXT, "invalid device context") \
	X(CUDA_ERROR_CONTEXT_ALREADY_CURRENT, "context already current") \
	X(CUDA_ERROR_MAP_FAILED, "map failed") \
	X(CUDA_ERROR_UNMAP_FAILED, "unmap failed") \
	X(CUDA_ERROR_ARRAY_IS_MAPPED, "array is mapped") \
	X(CUDA_ERROR_ALREADY_MAPPED, "already mapped") \
	X(CUDA_ERROR_NO_BINARY_FOR_GPU, "no binary for gpu") \
	X(CUDA_ERROR_ALREADY_ACQUIRED, "already acquired") \
	X(CUDA_ERROR_NOT_MAPPED, "not mapped") \
	X(CUDA_ERROR_NOT_MAPPED_AS_ARRAY, "not mapped as array") \
	X(CUDA_ERROR_NOT_MAPPED_AS_POINTER, "not mapped as pointer") \
	X(CUDA_ERROR_ECC_UNCORRECTABLE, "ecc uncorrectable") \
	X(CUDA_ERROR_UNSUPPORTED_LIMIT, "unsupported limit") \
	X(CUDA_ERROR_CONTEXT_ALREADY_IN_USE, "context already in use") \
	X(CUDA_ERROR_PEER_ACCESS_UNSUPPORTED, "peer access unsupported") \
	X(CUDA_ERROR_INVALID_PTX, "invalid ptx") \
	X(CUDA_ERROR_INVALID_GRAPHICS_CONTEXT, "invalid graphics context") \
	X(CUDA_ERROR_NVLINK_UNCORRECTABLE, "nvlink uncorrectable") \
	X(CUDA_ERROR_JIT_COMPILER_NOT_FOUND, "jit compiler not found") \
	X(CUDA_ERROR_UNSUPPORTED_PTX_VERSION, "unsupported ptx version") \
	X(CUDA_ERROR_JIT_COMPILATION_DISABLED, "jit compilation disabled") \
	X(CUDA_ERROR_UNSUPPORTED_EXEC_AFFINITY, "unsupported exec affinity") \
	X(CUDA_ERROR_UNSUPPORTED_DEVSIDE_SYNC, "unsupported devside sync") \
	X(CUDA_ERROR_CONTAINED, "contained") \
	X(CUDA_ERROR_INVALID_SOURCE, "invalid source") \
	X(CUDA_ERROR_FILE_NOT_FOUND, "file not found") \
	X(CUDA_ERROR_SHARED_OBJECT_SYMBOL_NOT_FOUND, "shared object symbol not found") \
	X(CUDA_ERROR_SHARED_OBJECT_INIT_FAILED, "shared object init failed") \
	X(CUDA_ERROR_OPERATING_SYSTEM, "operating system") \
	X(CUDA_ERROR_INVALID_HANDLE, "invalid resource handle") \
	X(CUDA_ERROR_ILLEGAL_STATE, "the resource is in a state that does not allow the operation") \
	X(CUDA_ERROR_LOSSY_QUERY, "lossy query") \
	X(CUDA_ERROR_NOT_FOUND, "named symbol not found") \
	X(CUDA_ERROR_NOT_READY, "device not ready") \
	X(CUDA_ERROR_ILLEGAL_ADDRESS, "illegal address") \
	X(CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES, "launch out of resources") \
	X(CUDA_ERROR_LAUNCH_TIMEOUT, "launch timeout") \
	X(CUDA_ERROR_LAUNCH_INCOMPATIBLE_TEXTURING, "launch incompatible texturing") \
	X(CUDA_ERROR_PEER_ACCESS_ALREADY_ENABLED, "peer access already enabled") \
	X(CUDA_ERROR_PEER_ACCESS_NOT_ENABLED, "peer access not enabled") \
	X(CUDA_ERROR_PRIMARY_CONTEXT_ACTIVE, "primary context active") \
	X(CUDA_ERROR_CONTEXT_IS_DESTROYED, "context is destroyed") \
	X(CUDA_ERROR_ASSERT, "assert") \
	X(CUDA_ERROR_TOO_MANY_PEERS, "too many peers") \
	X(CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED, "host memory already registered") \
	X(CUDA_ERROR_HOST_MEMORY_NOT_REGISTERED, "host memory not registered") \
	X(CUDA_ERROR_HARDWARE_STACK_ERROR, "hardware stack error") \
	X(CUDA_ERROR_ILLEGAL_INSTRUCTION, "illegal instruction") \
	X(CUDA_ERROR_MISALIGNED_ADDRESS, "misaligned address") \
	X(CUDA_ERROR_INVALID_ADDRESS_SPACE, "invalid address space") \
	X(CUDA_ERROR_INVALID_PC, "invalid pc") \
	X(CUDA_ERROR_LAUNCH_FAILED, "launch failed") \
	X(CUDA_ERROR_COOPERATIVE_LAUNCH_TOO_LARGE, "cooperative launch too large") \
	X(CUDA_ERROR_TENSOR_MEMORY_LEAK, "tensor memory leak") \
	X(CUDA_ERROR_NOT_PERMITTED, "not permitted") \
	X(CUDA_ERROR_NOT_SUPPORTED, "not supported") \
	X(CUDA_ERROR_SYSTEM_NOT_READY, "system not ready") \
	X(CUDA_ERROR_SYSTEM_DRIVER_MISMATCH, "system driver mismatch") \
	X(CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE, "compat not supported on device") \
	X(CUDA_ERROR_MPS_CONNECTION_FAILED, "mps connection failed") \
	X(CUDA_ERROR_MPS_RPC_FAILURE, "mps rpc failure") \
	X(CUDA_ERROR_MPS_SERVER_NOT_READY, "mps server not ready") \
	X(CUDA_ERROR_MPS_MAX_CLIENTS_REACHED, "mps max clients reached") \
	X(CUDA_ERROR_MPS_MAX_CONNECTIONS_REACHED, "mps max connections reached") \
	X(CUDA_ERROR_MPS_CLIENT_TERMINATED, "mps client terminated") \
	X(CUDA_ERROR_CDP_NOT_SUPPORTED, "cdp not supported") \
	X(CUDA_ERROR_CDP_VERSION_MISMATCH, "cdp version mismatch") \
	X(CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED, "not permitted while capturing") \
	X(CUDA_ERROR_STREAM_CAPTURE_INVALIDATED, "capture invalidated by an earlier error") \
	X(CUDA_ERROR_STREAM_CAPTURE_MERGE, "stream capture merge") \
	X(CUDA_ERROR_STREAM_CAPTURE_UNMATCHED, "capture was not initiated in this stream") \
	X(CUDA_ERROR_STREAM_CAPTURE_UNJOINED, "capture has a fork not joined back") \
	X(CUDA_ERROR_STREAM_CAPTURE_ISOLATION, "dependency on work outside the capture") \
	X(CUDA_ERROR_STREAM_CAPTURE_IMPLICIT, "legacy stream used while a blocking stream captures") \
	X(CUDA_ERROR_CAPTURED_EVENT, "event was last recorded in a capture") \
	X(CUDA_ERROR_STREAM_CAPTURE_WRONG_THREAD, "capture ended from another thread") \
	X(CUDA_ERROR_TIMEOUT, "timeout") \
	X(CUDA_ERROR_GRAPH_EXEC_UPDATE_FAILURE, "graph exec update failure") \
	X(CUDA_ERROR_EXTERNAL_DEVICE, "external device") \
	X(CUDA_ERROR_INVALID_CLUSTER_SIZE, "invalid cluster size") \
	X(CUDA_ERROR_FUNCTION_NOT_LOADED, "function not loaded") \
	X(CUDA_ERROR_INVALID_RESOURCE_TYPE, "invalid resource type") \
	X(CUDA_ERROR_INVALID_RESOURCE_CONFIGURATION, "invalid resource configuration") \
	X(CUDA_ERROR_KEY_ROTATION, "key rotation") \
	X(CUDA_ERROR_UNKNOWN, "unknown error")

static const struct {
	CUresult code;
	const char *name, *text;
} errors[] = {
#define X(code, text) { code, #code, text },
	FC_ERRORS
#undef X
};

static int lookup(CUresult code)
{
	size_t i;

	for (i = 0; i < FC_ARRAY_SIZE(errors); i++)
		if (errors[i].code == code)
			return (int)i;
	return -1;
}

CUresult CUDAAPI cuGetErrorName(CUresult error, const char **str)
{
	int i;

	if (!str)
		return CUDA_ERROR_INVALID_VALUE;
	i = lookup(error);
	*str = i < 0 ? NULL : errors[i].name;
	return i < 0 ? CUDA_ERROR_INVALID_VALUE : CUDA_SUCCESS;
}

CUresult CUDAAPI cuGetErrorString(CUresult error, const char **str)
{
	int i;

	if (!str)
		return CUDA_ERROR_INVALID_VALUE;
	i = lookup(error);
	*str = i < 0 ? NULL : errors[i].text;
	return i < 0 ? CUDA_ERROR_INVALID_VALUE : CUDA_SUCCESS;
}
