package dev.gradus.engine.pytorch;

import dev.gradus.engine.tensor.Backend;
import dev.gradus.engine.tensor.BackendProvider;
import dev.gradus.engine.tensor.Device;

/** Registers {@link PyTorchBackend} under the name "pytorch". */
public final class PyTorchBackendProvider implements BackendProvider {
  @Override
  public String name() {
    return PyTorchBackend.NAME;
  }

  @Override
  public String summary() {
    return "libtorch through DJL (default)";
  }

  @Override
  public Backend create(Device device, int threads) {
    return new PyTorchBackend(device, threads);
  }
}
