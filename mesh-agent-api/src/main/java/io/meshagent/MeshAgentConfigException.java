package io.meshagent;

/**
 * A setting holds a value the agent does not accept. The message names the setting, where it came
 * from (builder method or environment variable), the rejected value and the accepted values.
 */
public final class MeshAgentConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String setting;

  /**
   * @param setting the setting's name as README's configuration reference spells it
   * @param message what is wrong and what would be accepted
   */
  public MeshAgentConfigException(String setting, String message) {
    super("mesh-agent setting '" + setting + "': " + message);
    this.setting = setting;
  }

  /** The setting's name, for example {@code xds.protocol}. */
  public String setting() {
    return setting;
  }
}
