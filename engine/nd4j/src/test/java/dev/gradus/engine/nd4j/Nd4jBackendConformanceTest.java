package dev.gradus.engine.nd4j;

import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.Device;
import dev.gradus.engine.testkit.BackendConformanceTest;

class Nd4jBackendConformanceTest extends BackendConformanceTest {
  @Override
  protected Backend createBackend() {
    return new Nd4jBackendProvider().create(Device.CPU, 1);
  }
}
