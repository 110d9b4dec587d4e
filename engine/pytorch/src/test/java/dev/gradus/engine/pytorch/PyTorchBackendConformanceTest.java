package dev.gradus.engine.pytorch;

import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.Device;
import dev.gradus.engine.testkit.BackendConformanceTest;

class PyTorchBackendConformanceTest extends BackendConformanceTest {
  @Override
  protected Backend createBackend() {
    return new PyTorchBackend(Device.CPU, 1);
  }
}
