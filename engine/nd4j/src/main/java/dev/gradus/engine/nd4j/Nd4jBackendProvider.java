package dev.gradus.engine.nd4j;

import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.BackendProvider;
import dev.gradus.engine.tensor.Device;

/** Registers {@link Nd4jBackend} under the name "nd4j". */
public final class Nd4jBackendProvider implements BackendProvider {
  @Override
  public String name() {
    return Nd4jBackend.NAME;
  }

  @Override
  public String summary() {
    return "ND4J " + Nd4jBackend.ND4J_VERSION + " array layer (nd4j-native, OpenBLAS), cpu only";
  }

  @Override
  public Backend create(Device device, int threads) {
    // before anything touches ND4J: JavaCPP unpacks its natives into this cache on first load
    Nd4jBackend.configureNatives();
    return new Nd4jBackend(device, threads);
  }
}
