/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The module's narrow interface to the cross-kernel interrupt pipeline
 * (pipe_bridge.cpp): one nk::Pipeline per caller-provided memory block of
 * ATOLL_PIPE_MEM bytes, bound to the lagoon CPU slot of one APIC ID.
 */
#ifndef ATOLL_PIPE_BRIDGE_H
#define ATOLL_PIPE_BRIDGE_H

#include "atoll/abi/abi.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ATOLL_PIPE_MEM 4096UL

/* Open a pipeline for the CPU slot of @self_apic; @send raises the Atoll IPI. */
int atoll_pipe_open(void *mem, void *lagoon, unsigned long size, atoll_u32 self_apic,
		    void (*send)(atoll_u32 apic_id));
/* Register the control stage; @handler runs in dispatch for each of its virqs. */
int atoll_pipe_control(void *mem, void (*handler)(atoll_u32 virq));
/* A control-stage virq owned by partition @owner; > 0, or a negative error. */
int atoll_pipe_alloc(void *mem, atoll_u32 owner);
/* Give back a virq allocated with atoll_pipe_alloc(). */
int atoll_pipe_release(void *mem, atoll_u32 virq);
/* Post @virq to the CPU with APIC ID @target_apic. */
int atoll_pipe_post(void *mem, atoll_u32 target_apic, atoll_u32 virq);
/* Register @stage (ATOLL_STAGE_VNET only) at @priority; @handler runs in dispatch for each of its virqs. */
int atoll_pipe_stage(void *mem, atoll_u32 stage, atoll_u32 priority, void (*handler)(atoll_u32 virq));
/* A virq of @stage owned by partition @owner; > 0, or a negative error. */
int atoll_pipe_alloc_stage(void *mem, atoll_u32 stage, atoll_u32 owner);
/* This pipeline's own lagoon CPU slot. */
atoll_u32 atoll_pipe_self_slot(void *mem);
/* Post @virq to lagoon CPU slot @slot (as a peer published it). */
int atoll_pipe_post_slot(void *mem, atoll_u32 slot, atoll_u32 virq);
/* Run the pipeline on this CPU; 1 when unstalled work remains (self-IPI). */
int atoll_pipe_dispatch(void *mem);

#ifdef __cplusplus
}
#endif
#endif
