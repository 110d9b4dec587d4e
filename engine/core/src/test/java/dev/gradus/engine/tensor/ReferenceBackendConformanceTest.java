package dev.gradus.engine.tensor;

import dev.gradus.engine.tensor.reference.ReferenceBackend;
import dev.gradus.engine.testkit.BackendConformanceTest;

class ReferenceBackendConformanceTest extends BackendConformanceTest {
  @Override
  protected Backend createBackend() {
    return new ReferenceBackend();
  }
}
