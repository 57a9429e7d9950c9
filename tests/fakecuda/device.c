// SPDX-License-Identifier: GPL-2.0
/*
 * The one device and what it says about itself: shaped like an embedded
 * GPU (an Orin-class part), so that code probing attributes finds sane values.
 */
#include <stdio.h>
#include <string.h>

#include "fc.h"

#define FC_TOTAL_MEM	(16ULL << 30)

static int check(CUdevice dev)
{
	if (!__atomic_load_n(&fc.inited, __ATOMIC_ACQUIRE))
		return -FC_ENOTINIT;
	return dev == 0 ? 0 : -ENODEV;
}

CUresult CUDAAPI cuDeviceGet(CUdevice *device, int ordinal)
{
	int err = check(0);

	if (err)
		return fc_result(err);
	if (!device)
		return CUDA_ERROR_INVALID_VALUE;
	if (ordinal != 0)
		return CUDA_ERROR_INVALID_DEVICE;
	*device = 0;
	return CUDA_SUCCESS;
}

CUresult CUDAAPI cuDeviceGetCount(int *count)
{
	int err = check(0);

	if (err)
		return fc_result(err);
	if (!count)
		return CUDA_ERROR_INVALID_VALUE;
	*count = 1;
	return CUDA_SUCCESS;
}

CUresult CUDAAPI cuDeviceGetName(char *name, int len, CUdevice dev)
{
	int err = check(dev);

	if (err)
		return fc_result(err);
	if (!name || len <= 0)
		return CUDA_ERROR_INVALID_VALUE;
	snprintf(name, (size_t)len, "fakecuda virtual accelerator");
	return CUDA_SUCCESS;
}

static const struct {
	CUdevice_attribute attr;
	int value;
} attrs[] = {
	{ CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK, 1024 },
	{ CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_X, 1024 },
	{ CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Y, 1024 },
	{ CU_DEVICE_ATTRIBUTE_MAX_BLOCK_DIM_Z, 64 },
	{ CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_X, 2147483647 },
	{ CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Y, 65535 },
	{ CU_DEVICE_ATTRIBUTE_MAX_GRID_DIM_Z, 65535 },
	{ CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK, 49152 },
	{ CU_DEVICE_ATTRIBUTE_TOTAL_CONSTANT_MEMORY, 65536 },
	{ CU_DEVICE_ATTRIBUTE_WARP_SIZE, 32 },
	{ CU_DEVICE_ATTRIBUTE_MAX_REGISTERS_PER_BLOCK, 65536 },
	{ CU_DEVICE_ATTRIBUTE_CLOCK_RATE, 1300000 },
	{ CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, 16 },
	{ CU_DEVICE_ATTRIBUTE_INTEGRATED, 1 },
	{ CU_DEVICE_ATTRIBUTE_CAN_MAP_HOST_MEMORY, 1 },
	{ CU_DEVICE_ATTRIBUTE_COMPUTE_MODE, CU_COMPUTEMODE_DEFAULT },
	{ CU_DEVICE_ATTRIBUTE_CONCURRENT_KERNELS, 1 },
	{ CU_DEVICE_ATTRIBUTE_ASYNC_ENGINE_COUNT, 1 },
	{ CU_DEVICE_ATTRIBUTE_UNIFIED_ADDRESSING, 1 },
	{ CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, 8 },
	{ CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, 7 },
	{ CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_MULTIPROCESSOR, 1536 },
	{ CU_DEVICE_ATTRIBUTE_STREAM_PRIORITIES_SUPPORTED, 1 },
	{ CU_DEVICE_ATTRIBUTE_MANAGED_MEMORY, 1 },
	{ CU_DEVICE_ATTRIBUTE_COMPUTE_PREEMPTION_SUPPORTED, 1 },
	{ CU_DEVICE_ATTRIBUTE_COOPERATIVE_LAUNCH, 1 },
	{ CU_DEVICE_ATTRIBUTE_PCI_BUS_ID, 0 },
	{ CU_DEVICE_ATTRIBUTE_PCI_DEVICE_ID, 0 },
	{ CU_DEVICE_ATTRIBUTE_PCI_DOMAIN_ID, 0 },
	{ CU_DEVICE_ATTRIBUTE_TCC_DRIVER, 0 },
	{ CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED, 0 },
};

/* Attributes the table lacks are refused rather than guessed. */
CUresult CUDAAPI cuDeviceGetAttribute(int *pi, CUdevice_attribute attrib, CUdevice dev)
{
	int err = check(dev);
	size_t i;

	if (err)
		return fc_result(err);
	if (!pi)
		return CUDA_ERROR_INVALID_VALUE;
	for (i = 0; i < FC_ARRAY_SIZE(attrs); i++) {
		if (attrs[i].attr == attrib) {
			*pi = attrs[i].value;
			return CUDA_SUCCESS;
		}
	}
	return CUDA_ERROR_INVALID_VALUE;
}

CUresult CUDAAPI cuDeviceTotalMem_v2(size_t *bytes, CUdevice dev)
{
	int err = check(dev);

	if (err)
		return fc_result(err);
	if (!bytes)
		return CUDA_ERROR_INVALID_VALUE;
	*bytes = FC_TOTAL_MEM;
	return CUDA_SUCCESS;
}

/* The CUDA 2.0 ABI: a 32-bit count, saturated. */
CUresult CUDAAPI cuDeviceTotalMem(unsigned int *bytes, CUdevice dev)
{
	int err = check(dev);

	if (err)
		return fc_result(err);
	if (!bytes)
		return CUDA_ERROR_INVALID_VALUE;
	*bytes = 0xffffffffu;
	return CUDA_SUCCESS;
}
