/*
 * The Java-C contract, checked at compile time: every number that Java and
 * the kernels must agree on is a macro S4J_<NAME> of s4j_kernels.h and a
 * @Native constant <NAME> of org.spinnaker4j.kernels.KernelAbi, which javac -h
 * writes into org_spinnaker4j_kernels_KernelAbi.h. Each pair is asserted
 * equal here, so a mismatch (or a Java constant without its C macro) fails
 * the host build. KernelAbiTest checks that this list names every constant of
 * KernelAbi and every macro of s4j_kernels.h that is not C-only.
 *
 * Host only (it needs the javac header); no code, only assertions.
 */
#include "org_spinnaker4j_kernels_KernelAbi.h"
#include "s4j_kernels.h"

#define S4J_SAME(NAME)                                                   \
    _Static_assert(org_spinnaker4j_kernels_KernelAbi_##NAME == S4J_##NAME, \
                   "KernelAbi." #NAME " must equal S4J_" #NAME " of s4j_kernels.h")

/* the DTCM of a core */
S4J_SAME(DTCM_BYTES);

/* kinds of core (KernelKind) */
S4J_SAME(KIND_INPUT_SOURCE);
S4J_SAME(KIND_DENSE_BLOCK);
S4J_SAME(KIND_REDUCE);
S4J_SAME(KIND_OUTPUT_SINK);

/* activations (KernelActivation) */
S4J_SAME(ACT_IDENTITY);
S4J_SAME(ACT_RELU);
S4J_SAME(ACT_LEAKYRELU);
S4J_SAME(ACT_SIGMOID);
S4J_SAME(ACT_TANH);
S4J_SAME(ACT_SOFTMAX);
S4J_SAME(ACT_HARDTANH);
S4J_SAME(ACT_SOFTPLUS);
S4J_SAME(ACT_ELU);

/* kinds of input range (RangeKind) */
S4J_SAME(RANGE_DATA);
S4J_SAME(RANGE_SOFTMAX_SYNC);
S4J_SAME(RANGE_DELTA);
S4J_SAME(RANGE_BACKWARD_PARTIAL);
S4J_SAME(RANGE_LABEL);
S4J_SAME(RANGE_IGNORE);

/* updaters (UpdaterKind) */
S4J_SAME(UPDATER_SGD);
S4J_SAME(UPDATER_NESTEROVS);
S4J_SAME(UPDATER_ADAM);

/* losses (LossKind) */
S4J_SAME(LOSS_NONE);
S4J_SAME(LOSS_MSE);
S4J_SAME(LOSS_L1);
S4J_SAME(LOSS_L2);
S4J_SAME(LOSS_MAE);
S4J_SAME(LOSS_XENT);
S4J_SAME(LOSS_MCXENT);
S4J_SAME(LOSS_NLL);

/* bits of the work an event did (KernelWork) */
S4J_SAME(WORK_FORWARD);
S4J_SAME(WORK_SOFTMAX_SUM);
S4J_SAME(WORK_SOFTMAX_NORMALISE);
S4J_SAME(WORK_SOFTMAX_DOT);
S4J_SAME(WORK_DELTAS);
S4J_SAME(WORK_BLOCK_BACKWARD);

/* keys of a softmax core's sync range: max, sum (+ backward dot in training) */
S4J_SAME(SYNC_KEYS);
S4J_SAME(SYNC_KEYS_TRAINING);

/* words of a packed config (KernelCore.pack) */
S4J_SAME(CFG_KIND);
S4J_SAME(CFG_N_ROWS);
S4J_SAME(CFG_N_COLS);
S4J_SAME(CFG_ACTIVATION);
S4J_SAME(CFG_ALPHA);
S4J_SAME(CFG_FUSED);
S4J_SAME(CFG_OUT_KEY_BASE);
S4J_SAME(CFG_EXPECTED_PARTIALS);
S4J_SAME(CFG_SOFTMAX_PEERS);
S4J_SAME(CFG_SYNC_KEY_BASE);
S4J_SAME(CFG_N_RANGES);
S4J_SAME(CFG_TRAINING);
S4J_SAME(CFG_UPDATER);
S4J_SAME(CFG_LEARNING_RATE);
S4J_SAME(CFG_BETA1);
S4J_SAME(CFG_BETA2);
S4J_SAME(CFG_EPSILON);
S4J_SAME(CFG_LOSS);
S4J_SAME(CFG_LAYER_OUTPUTS);
S4J_SAME(CFG_DELTA_KEY_BASE);
S4J_SAME(CFG_BACKWARD_KEY_BASE);
S4J_SAME(CFG_LOSS_KEY_BASE);
S4J_SAME(CFG_EXPECTED_BACKWARD);
S4J_SAME(CFG_SENDS_BACKWARD);
S4J_SAME(CONFIG_WORDS);

/* words of one input range of a packed config */
S4J_SAME(RANGE_WORD_KEY_LO);
S4J_SAME(RANGE_WORD_KEY_HI);
S4J_SAME(RANGE_WORD_LOCAL);
S4J_SAME(RANGE_WORD_KIND);
S4J_SAME(RANGE_WORDS);

/* return codes (KernelException) */
S4J_SAME(OK);
S4J_SAME(ERR_NOT_LOADED);
S4J_SAME(ERR_BUFFER_TOO_SMALL);
S4J_SAME(ERR_BAD_BUFFER);
S4J_SAME(ERR_BAD_CONFIG);
S4J_SAME(ERR_TOO_LARGE);
S4J_SAME(ERR_BAD_LENGTH);
S4J_SAME(ERR_UNKNOWN_KEY);
S4J_SAME(ERR_DUPLICATE_ROW);
S4J_SAME(ERR_TOO_MANY_PARTIALS);
S4J_SAME(ERR_DUPLICATE_VALUE);
S4J_SAME(ERR_DUPLICATE_SYNC);
S4J_SAME(ERR_SAMPLE_OVERLAP);
S4J_SAME(ERR_OUTBOX_TOO_SMALL);
S4J_SAME(ERR_WRONG_KIND);
S4J_SAME(ERR_NO_INPUT);
S4J_SAME(ERR_INCOMPLETE);
S4J_SAME(ERR_CORRUPT);
S4J_SAME(ERR_JNI);
S4J_SAME(ERR_DUPLICATE_DELTA);
S4J_SAME(ERR_DUPLICATE_LABEL);
S4J_SAME(ERR_TOO_MANY_BACKWARD);
S4J_SAME(ERR_NO_FORWARD);
S4J_SAME(ERR_NOT_TRAINING);
S4J_SAME(ERR_BAD_ARGUMENT);

/* parameter arrays of a core (KernelCore.readWeights, readBias, ...) */
S4J_SAME(ARRAY_WEIGHTS);
S4J_SAME(ARRAY_BIAS);
