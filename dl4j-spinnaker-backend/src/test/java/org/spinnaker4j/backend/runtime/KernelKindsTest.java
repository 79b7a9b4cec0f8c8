package org.spinnaker4j.backend.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.spinnaker4j.kernels.BatchNormTrainingConfig;
import org.spinnaker4j.kernels.LossKind;
import org.spinnaker4j.mapper.ir.ActivationKind;
import org.spinnaker4j.mapper.ir.LossFunction;
import org.spinnaker4j.mapper.ir.UpdaterType;
import org.spinnaker4j.mapper.keys.ReceiveKind;
import org.spinnaker4j.mapper.partition.BatchNormExchange;

/**
 * The switches of {@link KernelKinds} are exhaustive (the compiler checks that every constant is mapped); this checks
 * that each maps a constant to the kernels' constant of the same meaning, here the same name, and no two to one.
 */
class KernelKindsTest {

    @Test
    void eachKindMapsToTheKernelsKindOfTheSameName() {
        sameNames(ActivationKind.values(), KernelKinds::of);
        // SPARSE_MCXENT is MCXENT on the one-hot rows the host makes of its class indices
        sameNames(Arrays.stream(LossFunction.values()).filter(l -> l != LossFunction.SPARSE_MCXENT)
                .toArray(LossFunction[]::new), KernelKinds::of);
        assertEquals(LossKind.MCXENT, KernelKinds.of(LossFunction.SPARSE_MCXENT));
        sameNames(UpdaterType.values(), KernelKinds::of);
        sameNames(ReceiveKind.values(), KernelKinds::of);
    }

    /** The mapper's exchange partitions of a batch normalization have the keys the kernel sends per channel. */
    @Test
    void theMappersBatchNormExchangeHasTheKernelsKeys() {
        assertEquals(BatchNormTrainingConfig.exchangeKeys(1), BatchNormExchange.SUMS_PER_CHANNEL);
    }

    private static <A extends Enum<A>, B extends Enum<B>> void sameNames(A[] values, Function<A, B> map) {
        assertEquals(Arrays.stream(values).map(Enum::name).toList(),
                Arrays.stream(values).map(v -> map.apply(v).name()).toList());
    }
}
